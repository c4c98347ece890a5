"""The README and docs/ stay true: the commands, options, paths, make targets, endpoints, settings and links they
show exist, the cheap commands run, and the README's first request is answered."""

from __future__ import annotations

import importlib
import json
import os
import re
import shlex
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import typer.main
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from service.api.routes.risk import EXAMPLE
from service.app import create_app
from service.cli import app
from training.settings import Settings, get_settings

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
DOCS_DIR = ROOT / "docs"
README_LIMIT_BYTES = 10_000

# A command starts a shell line, follows `&&`, `;`, `|` or `$(`, or opens a quoted argument (a YAML `args:` line);
# environment assignments and a path to the script may come first. `injury-risk` elsewhere is the model or the image.
_COMMAND = re.compile(
    r"(?:(?:^|&&|;|\|\s|\$\()\s*|(?<=[\[\s(=,])(?P<quote>['\"]))"
    r"(?:[A-Z_][A-Z0-9_]*=\S+\s+)*(?:[\w./-]*/)?injury-risk(?=\s|$)(?P<rest>.*)$"
)
_TOP_DIRS = ("training", "service", "tests", "benchmarks", "docs", ".ci")
_PATH = re.compile(r"(?<![\w./$-])((?:" + "|".join(re.escape(d) for d in _TOP_DIRS) + r")/[\w./*{}<>-]*)")
_ROOT_FILES = ("Makefile", "Dockerfile", "pyproject.toml", "README.md")
_MODULE = re.compile(r"^(?:service|training)(?:\.[A-Za-z_]\w*)+$")
_ENDPOINT = re.compile(r"^(GET|POST|PUT|PATCH|DELETE) (/\S*)$")
_MAKE = re.compile(r"\bmake ([a-z][\w-]*)")
_SETTING = re.compile(r"\bINJURY_RISK_([A-Z0-9_]+)")
_LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
_BENCHMARK = re.compile(r"(benchmarks/\w+\.py)(?P<rest>.*)$")
# Variables the tests read; they are not product settings.
_TEST_ONLY_SETTINGS = {"INJURY_RISK_TEST_POSTGRES_URL", "INJURY_RISK_RECORD_ANSWERS"}


@dataclass(frozen=True)
class Doc:
    path: Path
    prose: str  # outside fenced blocks
    blocks: list[str]  # fenced blocks, shell continuations joined

    @property
    def name(self) -> str:
        return str(self.path.relative_to(ROOT))

    def spans(self) -> list[str]:
        """Inline code spans of the prose, a line break inside one read as a space."""
        return [" ".join(s.split()) for s in re.findall(r"`([^`]+)`", self.prose)]

    def snippets(self) -> list[str]:
        """Every line of code shown: lines of fenced blocks and inline spans."""
        return [line for block in self.blocks for line in block.splitlines()] + self.spans()


def read_doc(path: Path) -> Doc:
    prose: list[str] = []
    blocks: list[str] = []
    block: list[str] | None = None
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.lstrip().startswith("```"):
            if block is None:
                block = []
            else:
                blocks.append("\n".join(block).replace("\\\n", " "))
                block = None
        elif block is None:
            prose.append(line)
        else:
            block.append(line)
    assert block is None, f"{path}: unclosed code block"
    return Doc(path, "\n".join(prose), blocks)


def all_docs() -> list[Doc]:
    return [read_doc(README), *(read_doc(p) for p in sorted(DOCS_DIR.glob("*.md")))]


def words(rest: str, quote: str | None) -> list[str]:
    """The shell words of a command line up to the first operator (pipe, redirect, `;`, `&&`, `)`) or comment."""
    if quote:
        rest = rest[: rest.rfind(quote)] if quote in rest else rest
    lexer = shlex.shlex(rest, posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    found = []
    for word in lexer:
        if set(word) <= set("();<>|&"):
            break
        found.append(word)
    return found


@dataclass(frozen=True)
class Shown:
    doc: str
    args: list[str]
    whole: bool  # a line of a code block, to paste as it is; an inline span may name a command without its options


def documented_commands() -> Iterator[Shown]:
    for doc in all_docs():
        lines = [(line, True) for block in doc.blocks for line in block.splitlines()]
        for snippet, whole in lines + [(span, False) for span in doc.spans()]:
            match = _COMMAND.search(snippet)
            if match:
                yield Shown(doc.name, words(match["rest"], match["quote"]), whole)


def placeholder(value: str) -> bool:
    """A value the reader fills in (PATH, NAME, DAY) or the shell computes ($(date ...))."""
    return "$" in value or bool(re.fullmatch(r"[A-Z][A-Z_]*", value))


def command_errors(args: list[str]) -> tuple[list[str], list[str]]:
    """(the subcommand path, what is wrong with ``args`` for the real command line); nothing wrong: an empty list."""
    # Typer carries its own copy of click, so commands are told apart by what they have, not by click's classes.
    command = typer.main.get_command(app)
    path: list[str] = []
    rest = list(args)
    while hasattr(command, "commands") and rest and not rest[0].startswith("-"):
        sub = command.commands.get(rest[0])
        if sub is None:
            return path, [f"no command {' '.join([*path, rest[0]])!r}"]
        path.append(rest.pop(0))
        command = sub
    context = command.context_class(command)
    options = {name: p for p in command.params if p.param_type_name == "option" for name in p.opts + p.secondary_opts}
    arguments = [p for p in command.params if p.param_type_name == "argument"]
    errors: list[str] = []
    positional = 0
    while rest:
        word = rest.pop(0)
        if word == "--help":
            continue
        if not word.startswith("-"):
            positional += 1
            continue
        name, _, inline = word.partition("=")
        option = options.get(name)
        if option is None:
            errors.append(f"{' '.join(path) or 'injury-risk'} has no option {name}")
            continue
        if option.is_flag:
            continue
        values = [inline] if inline else []
        while len(values) < option.nargs and rest and not rest[0].startswith("--"):
            values.append(rest.pop(0))
        if len(values) < option.nargs:
            errors.append(f"{name} needs {option.nargs} value(s)")
        elif not any(placeholder(v) for v in values):
            try:
                option.process_value(context, tuple(values) if option.nargs > 1 else values[0])
            except typer.BadParameter as error:
                errors.append(f"{name} {' '.join(values)}: {error.message}")
    if hasattr(command, "commands") and positional:
        errors.append(f"{' '.join(path) or 'injury-risk'} needs a subcommand")
    elif positional > len(arguments):
        errors.append(f"{' '.join(path)} takes {len(arguments)} argument(s), got {positional}")
    return path, errors


def test_every_injury_risk_command_in_the_docs_names_real_commands_and_options():
    commands = list(documented_commands())
    assert len(commands) >= 15, "the docs show the command line; the extraction found too few commands"
    problems = [f"{c.doc}: injury-risk {' '.join(c.args)}: {e}" for c in commands for e in command_errors(c.args)[1]]
    assert not problems, "\n".join(problems)


# Cheap, server-free commands that the docs' reader can paste; they run here in a scratch folder.
_RUNNABLE = {("db", "upgrade"), ("db", "downgrade"), ("keys", "create"), ("simulate",)}
_MAX_SIMULATED_ATHLETE_DAYS = 2_000


def runnable(shown: Shown) -> bool:
    args = shown.args
    if "--help" in args:
        return True
    path, errors = command_errors(args)
    if not shown.whole or errors or tuple(path) not in _RUNNABLE or any(placeholder(a) for a in args):
        return False
    if path == ["simulate"]:
        athletes, days = (int(args[args.index(o) + 1]) if o in args else 10**9 for o in ("--athletes", "--days"))
        return athletes * days <= _MAX_SIMULATED_ATHLETE_DAYS
    return True


@pytest.fixture
def scratch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A working directory with default settings: data/ and mlruns/ land in it."""
    for name in list(os.environ):
        if name.startswith("INJURY_RISK_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


def test_the_docs_cheap_commands_run(scratch: Path):
    chosen = [shown for shown in documented_commands() if runnable(shown)]
    ran = {tuple(command_errors(shown.args)[0]) for shown in chosen}
    assert {(), ("simulate",), ("keys", "create"), ("db", "upgrade")} <= ran, ran
    for shown in chosen:
        args = shown.args
        result = CliRunner().invoke(app, args)
        assert result.exit_code == 0, f"{shown.doc}: injury-risk {' '.join(args)}\n{result.output}"
        if args[0] == "simulate" and "--help" not in args:
            assert (scratch / args[args.index("--out") + 1] / "profiles.parquet").exists()


def test_repo_paths_and_modules_named_in_the_docs_exist():
    missing = []
    for doc in all_docs():
        for snippet in doc.snippets():
            for found in _PATH.findall(snippet):
                path = found.rstrip("./")
                if "{" in path or "<" in path:
                    continue
                if not (list(ROOT.glob(path)) if "*" in path else (ROOT / path).exists()):
                    missing.append(f"{doc.name}: {found}")
        for span in doc.spans():
            if span in _ROOT_FILES and not (ROOT / span).exists():
                missing.append(f"{doc.name}: {span}")
            if _MODULE.match(span) and not importable(span):
                missing.append(f"{doc.name}: {span}")
    assert not missing, "\n".join(missing)


def importable(dotted: str) -> bool:
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            target = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        try:
            for attribute in parts[cut:]:
                target = getattr(target, attribute)
        except AttributeError:
            return False
        return True
    return False


def test_readme_code_map_names_the_real_packages():
    block = next(b for b in read_doc(README).blocks if b.lstrip().startswith("training/"))
    top = ROOT
    named = []
    for line in filter(str.strip, block.splitlines()):
        entry = line.split()[0]
        if line.startswith(" "):
            named.append(top / entry)
            assert named[-1].exists(), f"README map: {line}"
        else:
            top = ROOT / entry
            assert top.exists(), f"README map: {line}"
    packages = {p.parent for top_package in ("training", "service") for p in (ROOT / top_package).glob("*/__init__.py")}
    unmapped = sorted(str(p.relative_to(ROOT)) for p in packages - set(named))
    assert not unmapped, f"sub-packages missing from the README's map: {unmapped}"


def test_make_targets_named_in_the_docs_exist():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    targets = set(re.findall(r"^([\w-]+):", makefile, re.MULTILINE))
    named = {(doc.name, t) for doc in all_docs() for s in doc.snippets() for t in _MAKE.findall(s)}
    assert {t for _, t in named} >= {"serve", "test"}
    missing = sorted((d, t) for d, t in named if t not in targets)
    assert not missing, f"no such make target: {missing}"


def anchors(path: Path) -> set[str]:
    """GitHub's heading anchors of a markdown file."""
    headings = [line.lstrip("#").strip() for line in read_doc(path).prose.splitlines() if line.startswith("#")]
    return {re.sub(r"[^\w\- ]", "", h.lower()).replace(" ", "-") for h in headings}


def test_links_between_docs_resolve():
    broken = []
    for doc in all_docs():
        for target in _LINK.findall(doc.prose):
            if re.match(r"[a-z]+:", target):
                continue
            file, _, anchor = target.partition("#")
            path = (doc.path.parent / file).resolve() if file else doc.path
            if not path.exists():
                broken.append(f"{doc.name}: {target} (no file)")
            elif anchor and anchor not in anchors(path):
                broken.append(f"{doc.name}: {target} (no heading #{anchor})")
    assert not broken, "\n".join(broken)


def test_every_doc_is_linked_from_the_readme():
    readme = read_doc(README).prose
    assert not [p.name for p in DOCS_DIR.glob("*.md") if f"(docs/{p.name})" not in readme]


def test_endpoints_in_the_docs_are_routes_and_api_md_documents_every_route(tmp_path: Path):
    paths = create_app(Settings(data_dir=tmp_path, mlruns_dir=tmp_path / "mlruns")).openapi()["paths"]
    routes = {(method.upper(), re.sub(r"\{[^}]*\}", "{}", path)) for path, item in paths.items() for method in item}
    unknown = []
    for doc in all_docs():
        for span in doc.spans():
            match = _ENDPOINT.match(span)
            if match:
                endpoint = (match[1], re.sub(r"\{[^}]*\}", "{}", match[2].split("?")[0]))
                if endpoint not in routes:
                    unknown.append(f"{doc.name}: {span}")
    assert not unknown, "\n".join(unknown)
    api = read_doc(DOCS_DIR / "api.md").spans()
    documented = {(m[1], re.sub(r"\{[^}]*\}", "{}", m[2])) for s in api if (m := _ENDPOINT.match(s))}
    assert not routes - documented, f"routes missing from docs/api.md: {sorted(routes - documented)}"


def test_settings_in_the_docs_exist_and_operations_md_lists_every_one():
    fields = {f"INJURY_RISK_{name.upper()}" for name in Settings.model_fields}
    named = {(doc.name, f"INJURY_RISK_{m}") for doc in all_docs() for m in _SETTING.findall(doc.path.read_text())}
    unknown = {(d, n) for d, n in named if n not in fields | _TEST_ONLY_SETTINGS}
    assert not unknown, f"no such setting: {sorted(unknown)}"
    table = read_doc(DOCS_DIR / "operations.md").spans()
    assert not fields - set(table), f"settings missing from docs/operations.md: {sorted(fields - set(table))}"


def test_benchmark_options_shown_in_the_docs_exist():
    wrong = []
    for doc in all_docs():
        for snippet in doc.snippets():
            match = _BENCHMARK.search(snippet)
            if not match:
                continue
            # argparse options are declared as string literals in the script's main().
            source = (ROOT / match[1]).read_text(encoding="utf-8")
            options = [w.split("=")[0] for w in words(match["rest"], None) if w.startswith("--")]
            wrong += [f"{doc.name}: {match[1]} has no option {o}" for o in options if f'"{o}"' not in source]
    assert not wrong, "\n".join(wrong)


def test_readme_is_a_short_entry_point():
    assert README.stat().st_size < README_LIMIT_BYTES


def test_readme_first_request_is_the_pinned_example_and_is_answered(client: TestClient):
    readme = read_doc(README)
    curl = next(b for b in readme.blocks if "curl" in b and "/v1/risk" in b)
    sent = re.search(r"-d '(\{.*\})'", curl, re.DOTALL)
    assert sent, "the README's first request sends no JSON body"
    body = json.loads(sent[1])
    assert body == EXAMPLE, "the README's request is the OpenAPI example that tests/test_answers_unchanged.py pins"
    response = client.post("/v1/risk", json=body)
    assert response.status_code == 200, response.text
    answer = response.json()
    risk = next(r for r in answer["risks"] if r["drivers"])
    section = readme.prose.split("## A first request")[1].split("\n## ")[0]
    fields = set(re.findall(r"`([a-z_]+)`", section))
    assert {"risks", "drivers", "recommendations"} <= fields
    unknown = fields - set(answer) - set(risk)
    assert not unknown, f"the README names fields the answer does not have: {sorted(unknown)}"
    shown = json.loads(next(b for b in readme.blocks if b.lstrip().startswith('{"injury"')))
    assert set(shown) <= set(risk) and set(shown["drivers"][0]) <= set(risk["drivers"][0])


def test_architecture_md_lists_the_layers_the_import_contracts_enforce():
    contracts = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]
    text = (DOCS_DIR / "architecture.md").read_text(encoding="utf-8")
    for contract in (c for c in contracts["contracts"] if c["type"] == "layers"):
        package = contract["layers"][0].split(".")[0]
        enforced = [{name.strip().split(".", 1)[1] for name in layer.split("|")} for layer in contract["layers"]]
        table = text.split(f"| `{package}` layer |")[1].split("\n\n")[0]
        documented = [set(re.findall(r"`(\w+)`", row.split("|")[1])) for row in table.splitlines()[2:]]
        assert documented == enforced, f"docs/architecture.md, {package}: {documented} != {enforced}"
