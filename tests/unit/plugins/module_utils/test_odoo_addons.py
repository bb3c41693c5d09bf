import hashlib

from ansible_collections.insightpulse.platform.plugins.module_utils import odoo_addons


def test_adapt_version_like_odoo():
    assert odoo_addons.adapt_version("1.0", "18.0") == "18.0.1.0"
    assert odoo_addons.adapt_version("18.0.2.1.0", "18.0") == "18.0.2.1.0"
    assert odoo_addons.adapt_version("18.0", "18.0") == "18.0.18.0"
    assert odoo_addons.serie_of("19.0.1.3") == "19.0"


def test_version_newer():
    assert odoo_addons.version_newer("18.0.1.10", "18.0.1.9")
    assert not odoo_addons.version_newer("18.0.1.9", "18.0.1.10")
    assert not odoo_addons.version_newer("18.0.1.0", "18.0.1.0")
    assert odoo_addons.version_newer("18.0.1.0", None)
    assert not odoo_addons.version_newer(None, "18.0.1.0")


def test_addon_hash_matches_click_odoo_contrib_format(tmp_path):
    addon = tmp_path / "queue_job"
    addon.mkdir()
    (addon / "__manifest__.py").write_bytes(b"{'name': 'Job Queue', 'version': '18.0.1.0.0'}")
    expected = hashlib.sha1(  # noqa: S324 - the algorithm under test
        b"__manifest__.py" + b"{'name': 'Job Queue', 'version': '18.0.1.0.0'}"
    ).hexdigest()
    assert odoo_addons.addon_hash(str(addon)) == expected


def test_addon_hash_ignores_excluded_files_and_other_languages(tmp_path):
    addon = tmp_path / "a"
    (addon / "static").mkdir(parents=True)
    (addon / "i18n").mkdir()
    (addon / "__manifest__.py").write_text("{}")
    first = odoo_addons.addon_hash(str(addon), keep_langs=["fr_FR"])
    (addon / "static" / "x.js").write_text("changed")
    (addon / "i18n" / "de.po").write_text("german")
    (addon / "i18n" / "a.pot").write_text("template")
    assert odoo_addons.addon_hash(str(addon), keep_langs=["fr_FR"]) == first
    (addon / "i18n" / "fr.po").write_text("french")
    assert odoo_addons.addon_hash(str(addon), keep_langs=["fr_FR"]) != first


def test_find_and_read_manifest(tmp_path):
    (tmp_path / "b" / "x").mkdir(parents=True)
    (tmp_path / "b" / "x" / "__manifest__.py").write_text("{'version': '1.2', 'depends': ['base']}")
    path = odoo_addons.find_addon([str(tmp_path / "a"), str(tmp_path / "b")], "x")
    assert path == str(tmp_path / "b" / "x")
    assert odoo_addons.read_manifest(path)["depends"] == ["base"]
    assert odoo_addons.find_addon([str(tmp_path / "b")], "y") is None


def test_parse_checksums_tolerates_garbage():
    assert odoo_addons.parse_checksums('{"a": "1"}') == {"a": "1"}
    assert odoo_addons.parse_checksums("not json") == {}
    assert odoo_addons.parse_checksums(None) == {}
