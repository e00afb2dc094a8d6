"""The static JSON API (`/api/v1/`): the lists through time as plain files a third party can fetch.

    api/v1/index.json                 the site, its as-of day, the lists, the editions, every adjustment
    api/v1/lists/<list id>.json       every item ever on the list, each version's dates and names
    api/v1/items/<list id>/<code>.json  one item: its values in force, and every version with its values
    api/v1/schema/*.schema.json       the JSON Schema (2020-12) of each, self-contained

`documents` makes the files' contents from the catalog, the history and the versions
(generator/history/versions.py); `schema` makes the schemas, taking the shapes of field values
from the open-data export's schema (generator/defaults/export.schema.json), so a value is described
in one place. The build step (generator/steps/api.py) writes only the files whose bytes changed.
`/as-of/` (按日期查看) reads these files in the browser (assets/qingdan/as-of.js).

Nothing here names a commit: an adjustment is known by its anchor on the 动态调整 page
(`adj-<day>-<seq>`), a version by its dates.
"""

VERSION = "v1"
ROOT = f"api/{VERSION}/"
FORMAT = "qingdan-api/1"  # in every file: a breaking change gets a new number (and a new folder)
