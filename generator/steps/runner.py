"""The one runner: `qingdan build` and `qingdan serve` both ask it for the site.

It orders the steps by what they read and write, times them (`qingdan build --timings`), derives
each step's key from the step's declared inputs plus the code fingerprint (so no cache key is
written by hand), and after a change reruns only the steps whose key changed; the pages step then
rewrites only the pages whose own key changed.

A build writes into a staging folder next to the output and swaps it in only when every step
succeeded. When the previous build's record matches the output folder, the staging folder starts
as a hard-linked copy of the previous site (no file is copied; every step replaces files, never
edits them), so an unchanged step costs nothing. A preview (`serve`) keeps the runner and its
products in memory and writes into the served folder, each file replaced atomically.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from generator.codehash import code_fingerprint
from generator.dates import build_as_of
from generator.problems import Problems
from generator.steps.step import BuildError, Pending, Step, digest

if TYPE_CHECKING:
    from generator.site.swap import LinkedCopy

STATE_DIR = Path(".cache") / "build"
STATE_VERSION = "2"  # 2: the script map's characters counted by page


@dataclass(frozen=True)
class Options:
    site_url: str | None = None  # None: site_config.yml's base_url
    search: bool = True
    history: bool = True
    force: bool = False  # rebuild every step even when nothing changed
    # the day the site shows the lists as of (YYYY-MM-DD; generator/dates.py build_as_of); a step that
    # shows what is in force or pending reads "option:as_of", so a build on a later day reruns it
    as_of: str = field(default_factory=build_as_of)

    def value(self, name: str) -> str:
        return repr(getattr(self, name))


@dataclass
class BuildResult:
    ok: bool
    problems: Problems
    out_dir: Path
    timings: dict[str, float] = field(default_factory=dict)
    page_count: int = 0
    written: list[str] = field(default_factory=list)  # pages written by this run (a preview reports them)
    removed: list[str] = field(default_factory=list)
    unchanged: bool = False  # nothing the site is made from changed: nothing was done
    search_docs: Path | None = None  # the lean search documents Pagefind read (kept between builds)


@dataclass
class State:
    """What the previous run left: each step's key, each page's key, each step's files."""

    stamp: str = ""
    steps: dict[str, str] = field(default_factory=dict)
    pages: dict[str, str] = field(default_factory=dict)
    files: dict[str, list[str]] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> str:
        return json.dumps({"version": STATE_VERSION, "stamp": self.stamp, "steps": self.steps, "pages": self.pages,
                           "files": self.files, "extra": self.extra}, ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> State | None:
        try:
            data = json.loads(text)
        except ValueError:
            return None
        if not isinstance(data, dict) or data.get("version") != STATE_VERSION:
            return None
        return cls(data["stamp"], data["steps"], data["pages"], data["files"], data.get("extra", {}))


def order(steps: tuple[Step, ...]) -> list[Step]:
    """The steps in declared order, moved only as far as needed to run after what they read."""
    writer = {token: step.name for step in steps for token in step.writes}
    done: list[Step] = []
    placed: set[str] = set()
    remaining = list(steps)
    while remaining:
        for step in remaining:
            needs = {writer[t] for t in step.reads if t in writer and writer[t] != step.name}
            if needs <= placed:
                done.append(step)
                placed.add(step.name)
                remaining.remove(step)
                break
        else:
            raise RuntimeError("build steps read each other in a circle: " + ", ".join(s.name for s in remaining))
    return done


def site_stamp(out_dir: Path) -> str:
    """The output folder as a build left it: a site changed or replaced by hand is built cold."""
    try:
        parts = [str(out_dir.stat().st_ino)]
        parts += [str((out_dir / name).stat().st_mtime_ns) for name in ("index.html", "sitemap.xml")]
    except OSError:
        return ""
    return " ".join(parts)


class Build:
    """One run of the steps: what they share. Steps read products with `get` and write files under
    `site_dir` (staging, or the served folder in a preview)."""

    def __init__(self, runner: Runner, site_dir: Path, cold: bool, changed: set[Path] | None) -> None:
        self.runner = runner
        self.root = runner.root
        self.out_dir = runner.out_dir
        self.options = runner.options
        self._site_dir = site_dir
        self.cold = cold  # nothing of a previous site is in site_dir
        self.changed = changed  # the files a preview saw change (None: unknown, compare everything)
        self.serving = runner.serving
        self.problems = Problems()
        self.before = runner.state
        self.after = State(steps=dict(runner.state.steps), pages=dict(runner.state.pages),
                           files=dict(runner.state.files), extra=dict(runner.state.extra))
        self.timings: dict[str, float] = {}
        self.keys: dict[str, str] = {}
        self.written: list[str] = []
        self.removed: list[str] = []
        self.page_count = 0

    @property
    def site_dir(self) -> Path:
        """The site being built; first the previous site's linked copy is finished (Runner._stage)."""
        if self.runner.copying is not None:
            self.runner.copying.wait()
        return self._site_dir

    @property
    def products(self) -> dict[str, Any]:
        return self.runner.products

    def get(self, product: str) -> Any:
        return self.runner.products[product]

    def put(self, product: str, value: Any, key: str | None = None) -> None:
        """key: what the value was made from, when the step knows it better than its own key does
        (the timeline step reruns every day; its products change only when a pending change takes
        effect): the steps reading the product rerun only when this key changes."""
        self.runner.products[product] = value
        if key is not None:
            self.runner.given_keys[product] = key
        else:
            self.runner.given_keys.pop(product, None)

    def time(self, name: str, seconds: float) -> None:
        """Part of a step timed under its own name (the pages step reports render and write)."""
        self.timings[name] = round(self.timings.get(name, 0.0) + seconds, 3)

    @property
    def site_url(self) -> str:
        """--site-url, else site_config.yml's base_url; always ending in "/"."""
        url = self.options.site_url or self.get("@catalog").config.portal.base_url
        return url if url.endswith("/") else url + "/"

    def owns(self, step_name: str, files: list[str]) -> None:
        """The files (from the site root) a step wrote: removed before it runs again."""
        self.after.files[step_name] = sorted(files)

    def staging_path(self, name: str) -> Path:
        """A scratch folder beside the output, removed with the build."""
        path = self.runner.scratch / name
        path.mkdir(parents=True, exist_ok=True)
        return path


class Runner:
    """Runs the declared steps for one project and output folder; keep it to run again (a preview)."""

    def __init__(self, steps: tuple[Step, ...], root: Path, out_dir: Path, options: Options | None = None, *,
                 serving: bool = False) -> None:
        self.root = root.resolve()
        self.out_dir = out_dir.resolve() if not out_dir.is_absolute() else out_dir
        self.options = options or Options()
        self.serving = serving
        self.steps = order(steps)
        self.products: dict[str, Any] = {}
        # The lean search documents of the site in out_dir, kept between builds (search_index.DocumentStore).
        self.search_docs = self.root / STATE_DIR / f"{digest(str(self.out_dir))}-search"
        self.product_keys: dict[str, str] = {}
        self.given_keys: dict[str, str] = {}  # product → the key its step gave it (Build.put)
        self.state = State() if serving else self._load_state()
        self.scratch = Path()
        self.copying: LinkedCopy | None = None  # the previous site being linked into staging
        self._file_digests: dict[str, tuple[tuple[int, int], str]] = {}
        self._inputs: dict[str, str] = {}  # this run's digests of inputs from outside the build
        self._sources = ""

    # -- keys --------------------------------------------------------------------------------

    def _state_file(self) -> Path:
        return self.root / STATE_DIR / f"{digest(str(self.out_dir))}.json"

    def _load_state(self) -> State:
        try:
            state = State.from_json(self._state_file().read_text(encoding="utf-8"))
        except OSError:
            state = None
        if state is None or not state.stamp or state.stamp != site_stamp(self.out_dir):
            return State()
        try:  # the search documents must be those of the same build
            if (self.search_docs / ".stamp").read_text(encoding="utf-8") != state.stamp:
                return State()
        except OSError:
            return State()
        return state

    def _save_state(self, state: State) -> None:
        state.stamp = site_stamp(self.out_dir)
        path = self._state_file()
        try:
            self.search_docs.mkdir(parents=True, exist_ok=True)
            (self.search_docs / ".stamp").write_text(state.stamp, encoding="utf-8")
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(".tmp")
            tmp.write_text(state.to_json(), encoding="utf-8")
            tmp.replace(path)
        except OSError:
            pass  # a read-only checkout builds cold every time

    def _path_digest(self, rel: str) -> str:
        path = self.root / rel
        if path.is_file():
            files = [path]
        elif path.is_dir():
            files = sorted(p for p in path.rglob("*") if p.is_file() and not p.name.startswith(".#"))
        else:
            return "absent"
        h = hashlib.blake2b(digest_size=16)
        for file in files:
            name = file.relative_to(self.root).as_posix()
            stat = file.stat()
            seen = self._file_digests.get(name)
            if seen is None or seen[0] != (stat.st_mtime_ns, stat.st_size):
                seen = ((stat.st_mtime_ns, stat.st_size), digest(file.read_bytes()))
                self._file_digests[name] = seen
            h.update(f"{name}\0{seen[1]}\0".encode())
        return h.hexdigest()

    def _config_digest(self, key: str) -> str:
        import yaml

        try:
            data = yaml.safe_load((self.root / "site_config.yml").read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError):
            return "unreadable"
        value = data.get(key) if isinstance(data, dict) else None
        return digest(json.dumps(value, ensure_ascii=False, sort_keys=True, default=str))

    def input_digest(self, token: str) -> str:
        """The digest of one declared input (see generator/steps/step.py for the notation)."""
        if token.startswith("@"):
            return self.product_keys[token]
        if token == "*":  # after every other step: reruns whenever anything did
            return self._sources
        # Inputs from outside do not change during a run: each is read once (git, site_config.yml).
        if token not in self._inputs:
            self._inputs[token] = self._outside_digest(token)
        return self._inputs[token]

    def _outside_digest(self, token: str) -> str:
        if token == "git":
            from generator.gitrepo import git_state

            return digest(git_state(self.root))
        kind, _, name = token.partition(":")
        if kind == "option":
            return self.options.value(name)
        if kind == "env":
            return os.environ.get(name, "")
        if kind == "site_config.yml" and name:
            return self._config_digest(name)
        return self._path_digest(token)

    def step_key(self, step: Step) -> str:
        """The code, the step's name and its declared inputs: the step reruns when this changes."""
        return self.inputs_key(step.name, step.reads)

    def inputs_key(self, name: str, tokens: tuple[str, ...]) -> str:
        """A key of the code and of some declared inputs (a step's; or a part of them that a step
        keys its own outputs by, as the render step keys pages)."""
        return digest(code_fingerprint(), name, *(f"{t}={self.input_digest(t)}" for t in tokens))

    def sources_key(self) -> str:
        """Every input from outside the build (files, git, options, environment): when it is the
        same as last time, so is every product and every file, and there is nothing to do."""
        tokens = sorted({t for step in self.steps for t in step.reads if not t.startswith("@")})
        return digest(code_fingerprint(), *(f"{t}={self.input_digest(t)}" for t in tokens))

    # -- running -----------------------------------------------------------------------------

    def run(self, changed: set[Path] | None = None) -> BuildResult:
        """A build: every step whose key changed, staged beside the output and swapped in.
        In a preview, its first build (every step but those a preview never runs)."""
        return self._execute([s for s in self.steps if not self.serving or s.serve != "never"], changed)

    def update(self, changed: set[Path]) -> BuildResult:
        """A preview's edit: the steps the open tab waits for, in place; `catch_up` runs the rest.
        changed: the files the preview saw change (a hint for the load step; keys decide)."""
        if not self.state.steps:
            return self.run(changed)
        return self._execute([s for s in self.steps if s.serve == "now"], changed)

    def catch_up(self) -> BuildResult:
        """A preview, once no edit is waiting: the steps left after `update` (downloads, search…)."""
        return self._execute([s for s in self.steps if s.serve == "after"], None, check_sources=False)

    def _execute(self, steps: list[Step], changed: set[Path] | None, check_sources: bool = True) -> BuildResult:
        self._inputs = {}
        sources = self._sources = self.sources_key()
        cold = not self.state.steps or (self.options.force and not self.serving)
        if check_sources and not cold and self.state.extra.get("sources") == sources:
            return BuildResult(ok=True, problems=Problems(), out_dir=self.out_dir, unchanged=True,
                               timings={"unchanged": 0.0})
        in_place = self.serving and not cold  # a preview's first build is swapped in like any build
        staging = self._stage(cold, in_place)
        self.scratch = staging / "work"
        site_dir = self.out_dir if in_place else staging / "site"
        build = Build(self, site_dir, cold, changed)
        build.after.extra["sources"] = sources
        result = BuildResult(ok=False, problems=build.problems, out_dir=self.out_dir, timings=build.timings,
                             search_docs=self.search_docs)
        pending: dict[str, Pending] = {}
        try:
            if not self._run_steps(build, steps, pending):
                return result
            self._wait_all(build, pending)
            if not in_place:
                from generator.site.swap import swap_into_place

                swap_into_place(build.site_dir, self.out_dir)
        except BuildError as exc:
            build.problems.error(str(exc), rule="build", hint="上一次成功生成的网站保持不变")
            return result
        finally:
            for job in pending.values():
                job.cancel()
            if self.copying is not None:
                self.copying.cancel()
                self.copying = None
            shutil.rmtree(staging, ignore_errors=True)
        self.state = build.after
        if not self.serving:
            self._save_state(build.after)
        result.ok = True
        result.page_count, result.written, result.removed = build.page_count, build.written, build.removed
        return result

    def _stage(self, cold: bool, in_place: bool) -> Path:
        """A new folder beside the output: `site` (the site being built, unless a preview updates
        its folder in place) and `work` (scratch files); removed when the run ends. The previous
        site's linked copy into `site` goes on beside the first steps (Build.site_dir waits)."""
        from generator.site.swap import LinkedCopy, remove_stale_builds

        self.out_dir.parent.mkdir(parents=True, exist_ok=True)
        remove_stale_builds(self.out_dir)
        staging = Path(tempfile.mkdtemp(prefix=f".{self.out_dir.name}.build-{os.getpid()}-", dir=self.out_dir.parent))
        (staging / "work").mkdir()
        if in_place:
            return staging
        if cold:
            self.state = State()
            shutil.rmtree(self.search_docs, ignore_errors=True)
            (staging / "site").mkdir()
        else:
            self.copying = LinkedCopy(self.out_dir, staging / "site")
        return staging

    def _run_steps(self, build: Build, steps: list[Step], pending: dict[str, Pending]) -> bool:
        writers = {token: step.name for step in self.steps for token in step.writes}
        for step in steps:
            for token in step.reads:  # what a background job of an earlier step writes, first
                job = pending.pop(writers.get(token, ""), None)
                if job is not None:
                    self._wait(build, writers[token], job)
            if "*" in step.reads:  # reads every file: the forked downloads writer's too
                self._wait_all(build, pending)
            build.keys[step.name] = key = self.step_key(step)
            if self._can_skip(build, step):
                self._product_keys(step, key)
                continue
            started = time.perf_counter()
            if not build.cold:  # the step's previous files (it writes its current ones, never into them)
                for rel in [*build.before.files.get(step.name, []), *step.single_files]:
                    _remove(build.site_dir / rel)
            job = step.run(build)
            build.time(step.name, time.perf_counter() - started)
            if job is not None:
                pending[step.name] = job
            build.after.steps[step.name] = key
            if build.problems.has_errors():
                return False
            self._product_keys(step, key)
        return True

    def _product_keys(self, step: Step, key: str) -> None:
        """A product's key: its value's digest when the step says so (a small product many steps
        read, such as the nav: its readers rerun only when it really changed), else the step's key."""
        for product in step.products:
            value_key = step.value_key(product, self.products[product]) if step.value_key and product in self.products else None
            given = self.given_keys.get(product) if product in self.products else None
            self.product_keys[product] = given or value_key or key

    def _can_skip(self, build: Build, step: Step) -> bool:
        if build.cold or build.before.steps.get(step.name) != build.keys[step.name]:
            return False
        # Products live in memory: a new process (a build) has none unless the step can restore
        # them from what it stored with the previous build; a preview kept them.
        if all(p in self.products for p in step.products):
            return True
        return step.restore is not None and step.restore(build)

    def _wait(self, build: Build, name: str, job: Pending) -> None:
        started = time.perf_counter()
        failure = job.wait()
        build.time(getattr(job, "timed_as", name), time.perf_counter() - started)
        if failure:
            raise BuildError(failure)

    def _wait_all(self, build: Build, pending: dict[str, Pending]) -> None:
        while pending:
            name, job = pending.popitem()
            self._wait(build, name, job)


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)
