"""Ansible's linear strategy, run through Mitogen (PyPI `mitogen`, pinned in requirements.txt).

Mitogen keeps one Python interpreter per host open for the whole run and sends each task's module
to it, instead of a new connection, a new interpreter and a copied module per task; the tasks and
their results are the same. Mitogen ships this strategy inside its package, whose path depends on
the virtualenv; this file lets ansible.cfg name it by a path in the repository.

It takes over the connections it knows by their short names (`ssh`, `docker`, `local`); a host
whose connection is spelled another way (e.g. `community.docker.docker`) runs as without it.
"""

import ansible_mitogen.loaders
import ansible_mitogen.strategy

Base = ansible_mitogen.loaders.strategy_loader.get("linear", class_only=True)


class StrategyModule(ansible_mitogen.strategy.StrategyMixin, Base):
    pass
