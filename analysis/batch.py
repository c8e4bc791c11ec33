"""The ``run`` command (placeholder until the notebook batch lands): clean data/raw into data/clean.

The notebooks helper replaces this module with the papermill batch; until then ``run`` is the
main job of issue 2, the ``clean`` step.
"""

from __future__ import annotations


def add_arguments(parser) -> None:
    from analysis import clean

    clean.add_arguments(parser)


def run(args) -> int:
    from analysis import clean

    return clean.run(args)
