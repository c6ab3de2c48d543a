"""Landscape systems: actors with sizes, pairwise propensities and (optionally)
the sides they actually took, for Axelrod and Bennett's landscape theory.

The engine (energy, enumeration, local minima, basins) and the registered
patron-and-adversary theory live in :mod:`pactlab.theories.landscape`. This
package holds what is specific to a stated system such as Europe in 1936:

* :mod:`pactlab.landscape.system` -- the file format, the propensity rule LS36
  and its pre-set alternatives, the placement score;
* :mod:`pactlab.landscape.build` -- builds a system file's values from a COW /
  ATOP / rivalry data directory the user names;
* :mod:`pactlab.landscape.cli` -- ``pactlab landscape`` and ``pactlab landscape-build``;
* :mod:`pactlab.landscape.report` -- the report figure and HTML page.
"""
