"""One module per notebook: the configs, measurements and claims of that study alone.

A study may import anything in the tiers below; nothing outside `studies/` imports a study, and no study
imports another (a unit test holds both rules). Code two studies need belongs in a tier below.
"""
