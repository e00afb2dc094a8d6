"""Regions: a city or province portal assembled from county projects (issue 25).

A portal project's site_config.yml lists its regions (`regions:`, config.py). Each region is a
complete Qingdan project, built on its own into `<out>/<id>/` (build.py, `--only-region`); the join
(join.py, `--join-only`) writes the portal's top level from what those builds published, never
rebuilding them. 十统一 (tenfold.py: the same item across regions; catalogue.py: a province's
通用目录 and each region against it; uniformity.py: the page body of those findings) is reported
by `qingdan assess` in the portal project (assess.py, render.py). Nothing is imported here: each
module pulls in only what it needs.
"""
