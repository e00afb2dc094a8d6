"""A portal (city or province) made of region projects, each a complete Qingdan county project.

config.py (the `regions:` of a portal's site_config.yml) · tenfold.py (十统一: the same item across
regions) · catalogue.py (a province's 通用目录, and each region against it) · uniformity.py (the
portal page body of those findings) · assess.py and render.py (`qingdan assess` in a portal project:
the findings, then text, JSON or XLSX). build.py, join.py and search.py (the portal build) come with
the portal build.
"""
