import pytest
from ansible.errors import AnsibleFilterError
from ansible_collections.insightpulse.platform.plugins.filter import odoo as f
from ansible_collections.insightpulse.platform.plugins.filter.odoo import FilterModule
from ansible_collections.insightpulse.platform.plugins.test.odoo import TestModule as OdooTestPlugin
from passlib.context import CryptContext
from passlib.hash import pbkdf2_sha512

MIB = 1024 * 1024
# the CryptContext Odoo >= 17 uses for admin_passwd (odoo/tools/config.py)
ODOO_CONTEXT = CryptContext(
    schemes=["pbkdf2_sha512", "plaintext"], deprecated=["plaintext"], pbkdf2_sha512__rounds=600_000
)


# ---------------------------------------------------------------- the platform's droplet sizes
def test_seed_basic_xxs_512mb_one_vcpu():
    """A 512 MB, 1 vCPU droplet (DigitalOcean basic-xxs): 2 workers, 1 cron thread, limits at 64%/80% of RAM."""
    assert f.odoo_sizing(1, 512) == {
        "workers": 2,
        "max_cron_threads": 1,
        "limit_memory_hard": 419430400,
        "limit_memory_soft": 335544320,
        "db_maxconn": 8,
        "limit_time_cpu": 300,
        "limit_time_real": 600,
    }


def test_seed_s_2vcpu_4gb():
    """A 4 GB, 2 vCPU droplet (DigitalOcean s-2vcpu-4gb) gets 2 workers with Odoo's default memory limits."""
    sizing = f.odoo_sizing(2, 4096)
    assert sizing["workers"] == 2
    assert sizing["limit_memory_soft"] == 2147483648
    assert sizing["limit_memory_hard"] == 2684354560


@pytest.mark.parametrize("cpus", [2, 4, 8])
def test_seed_8gb_gives_four_workers(cpus):
    """An 8 GB droplet gets 4 workers (RAM // 2 GiB soft limit), whatever its vCPU count."""
    sizing = f.odoo_sizing(cpus, 8192)
    assert sizing["workers"] == 4
    assert sizing["limit_memory_soft"] == 2048 * MIB


def test_memtotal_below_nominal_size_is_rounded_up():
    # a 512 MB droplet reports ~458 MB, a 4 GB one ~3931 MB in ansible_memtotal_mb
    assert f.odoo_sizing(1, 458) == f.odoo_sizing(1, 512)
    assert f.odoo_sizing(2, 3931) == f.odoo_sizing(2, 4096)


# ---------------------------------------------------------------- edges
def test_one_cpu_caps_workers_at_2cpu_plus_1():
    assert f.odoo_sizing(1, 65536)["workers"] == 3


def test_256mb_falls_back_to_threaded_mode():
    sizing = f.odoo_sizing(1, 256)
    assert sizing["workers"] == 0
    assert sizing["max_cron_threads"] == 1
    assert sizing["limit_memory_hard"] == 192 * MIB  # 80% of 256 MiB = 204.8 -> 192 (16 MiB steps)
    assert sizing["limit_memory_soft"] == 144 * MIB
    assert sizing["db_maxconn"] == 8


def test_64_cpus_bounded_by_memory_then_by_cpus():
    big = f.odoo_sizing(64, 262144)  # 256 GiB: 128 workers fit in RAM, 2*64+1 = 129
    assert big["workers"] == 128
    assert big["limit_memory_hard"] == 2560 * MIB
    assert big["db_maxconn"] == 64
    assert big["max_cron_threads"] == 2
    assert f.odoo_sizing(64, 1048576)["workers"] == 129
    assert f.odoo_sizing(64, 512)["workers"] == 2


def test_users_cap_workers_at_one_per_six():
    assert f.odoo_sizing(8, 32768, users=20)["workers"] == 4
    assert f.odoo_sizing(8, 32768, users=1)["workers"] == 2  # never below 2 in prefork mode
    assert f.odoo_sizing(8, 32768)["workers"] == 16


def test_limits_never_exceed_ram_and_soft_below_hard():
    for ram in (512, 768, 1024, 2048, 3072, 4096, 16384):
        sizing = f.odoo_sizing(2, ram)
        assert sizing["limit_memory_soft"] < sizing["limit_memory_hard"] <= ram * MIB * 0.8


@pytest.mark.parametrize("cpus,ram", [(0, 512), (1, 0), ("x", 512), (None, 512)])
def test_bad_input_is_an_ansible_error(cpus, ram):
    with pytest.raises(AnsibleFilterError):
        f.odoo_sizing(cpus, ram)


def test_string_inputs_from_facts_are_accepted():
    assert f.odoo_sizing("1", "512")["workers"] == 2


# ---------------------------------------------------------------- admin_passwd
def test_admin_passwd_verifies_with_odoo_crypt_context():
    hashed = f.odoo_admin_passwd("master-Secret-1")
    assert hashed.startswith("$pbkdf2-sha512$600000$")
    assert ODOO_CONTEXT.verify("master-Secret-1", hashed)
    assert not ODOO_CONTEXT.verify("master-secret-1", hashed)
    assert not ODOO_CONTEXT.needs_update(hashed)


def test_admin_passwd_random_salt_differs_fixed_salt_is_stable():
    assert f.odoo_admin_passwd("pw") != f.odoo_admin_passwd("pw")
    stable = f.odoo_admin_passwd("pw", salt="host-a-pepper", rounds=1000)
    assert stable == f.odoo_admin_passwd("pw", salt="host-a-pepper", rounds=1000)
    assert stable == pbkdf2_sha512.using(salt=b"host-a-pepper", rounds=1000).hash("pw")


def test_admin_passwd_rejects_weak_input():
    with pytest.raises(AnsibleFilterError):
        f.odoo_admin_passwd("")
    with pytest.raises(AnsibleFilterError):
        f.odoo_admin_passwd("pw", salt="short")
    with pytest.raises(AnsibleFilterError):
        f.odoo_admin_passwd("pw", rounds=10)


def test_matches_test_accepts_passlib_and_plaintext():
    from_passlib = pbkdf2_sha512.using(rounds=25000).hash("old-odoo")
    assert f.odoo_admin_passwd_matches(from_passlib, "old-odoo")
    assert not f.odoo_admin_passwd_matches(from_passlib, "other")
    assert f.odoo_admin_passwd_matches("admin", "admin")  # plaintext admin_passwd
    assert not f.odoo_admin_passwd_matches("admin", "Admin")
    assert not f.odoo_admin_passwd_matches("$pbkdf2-sha512$broken", "x")
    assert not f.odoo_admin_passwd_matches(None, "x")


def test_plugins_are_registered():
    assert set(FilterModule().filters()) == {"odoo_sizing", "odoo_admin_passwd"}
    assert OdooTestPlugin().tests()["odoo_admin_passwd_matches"] is f.odoo_admin_passwd_matches
