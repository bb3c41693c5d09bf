"""Ansible's linear strategy, run through Mitogen (PyPI `mitogen`, pinned in requirements.txt).

Mitogen keeps one Python interpreter per host open for the whole run and sends each task's module
to it, instead of a new connection, a new interpreter and a copied module per task; the tasks and
their results are the same. Mitogen ships this strategy inside its package, whose path depends on
the virtualenv; this file lets ansible.cfg name it by a path in the repository.

It takes over the connections it knows by their short names (`ssh`, `docker`, `local`); a host
whose connection is spelled another way (e.g. `community.docker.docker`) runs as without it.

One change to Mitogen's planner: before it runs a module from a collection, it lists every
installed collection's directory (`list_collection_dirs`, which imports each collection's package
and parses its meta/runtime.yml; the `ansible` package brings about a hundred). It does so in the
worker process Ansible forks for each task, so the answer died with the worker and was computed
again for the next task: about a quarter of the workers' CPU time in a no-op `site.yml`. The list
cannot change during a run, so this strategy computes it once, in the parent before the first task
forks a worker, and every worker inherits it.

The same holds for Ansible's own Jinja filters and tests: the first template of a worker that uses
one makes the filter and test loaders import every built-in plugin file and wrap each plugin, and
the parent never had, so every worker did it again: about 40 % of the workers' CPU time in a no-op
`site.yml`. Each play now loads them in the parent first (`all()` fills the loaders' cache and
returns at once when it is full; Ansible empties it when a role brings its own plugin folders).
"""

import ansible.collections.list
import ansible.plugins.loader
import ansible_mitogen.loaders
import ansible_mitogen.planner
import ansible_mitogen.strategy

Base = ansible_mitogen.loaders.strategy_loader.get("linear", class_only=True)

_collection_dirs = []


def _load_collections(invocation):
    """Mitogen's planner._load_collections, from the list computed once per run."""
    for path in _collection_dirs:
        invocation._extra_sys_paths.add(path)


class StrategyModule(ansible_mitogen.strategy.StrategyMixin, Base):
    def run(self, iterator, play_context):
        if not _collection_dirs:
            _collection_dirs.extend(path.decode("utf-8") for path in ansible.collections.list.list_collection_dirs())
            ansible_mitogen.planner._load_collections = _load_collections
        for loader in (ansible.plugins.loader.filter_loader, ansible.plugins.loader.test_loader):
            next(loader.all(), None)
        return super().run(iterator, play_context)
