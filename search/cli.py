"""The ``congres`` command: a thin layer over ``search.Searcher`` and ``indexer.build_index``."""

from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path

import click

from indexer.errors import CongresError, UnknownFacetValueError
from indexer.facets import BY_NAME, FACETS, FILTER_ORDER
from search.locations import CORPUS_ENV, INDEX_ENV, default_corpus_dir, default_index_dir
from search.engines import ARRAYS_FROM, ENGINES, REMOTE_ENGINES
from search.render import plain, render_explanation, render_facet_table, render_reports, render_results, render_unit
from search.searcher import MAX_LIMIT, SORTS, Searcher

DEBUG_ENV = "CONGRES_DEBUG"
ENGINE_ENV = "CONGRES_ENGINE"


class _Failure(click.ClickException):
    """A project error shown as one line; unknown facet values exit with 2 like usage errors."""

    def __init__(self, message: str, exit_code: int = 1):
        super().__init__(_one_line(message))
        self.exit_code = exit_code


class _CongresGroup(click.Group):
    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        """click's standalone mode, but every error on one line (usage errors included)."""
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode, **extra)
        if sys.stdout is None:  # started with its output closed (`congres search … >&-`)
            if sys.stderr is not None:
                click.echo("Error: the standard output is closed — nothing can be printed", err=True)
            sys.exit(1)
        _tolerate_unencodable_output()
        try:
            super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except click.exceptions.NoArgsIsHelpError as error:  # bare `congres`: the help, not an error
            click.echo(error.ctx.get_help())
            sys.exit(0)
        except click.UsageError as error:
            command = error.ctx.command_path if error.ctx else prog_name or "congres"
            click.echo(f"Error: {_one_line(error.format_message())} (see '{command} --help')", err=True)
            sys.exit(error.exit_code)
        except click.ClickException as error:
            error.show()
            sys.exit(error.exit_code)
        except click.Abort:
            click.echo("Aborted.", err=True)
            sys.exit(1)
        sys.exit(0)

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except UnknownFacetValueError as error:
            raise _Failure(str(error), 2) from None
        except CongresError as error:
            if os.environ.get(DEBUG_ENV) and error.__cause__ is not None:
                raise  # the traceback of what the index could not do
            raise _Failure(str(error)) from None
        except KeyboardInterrupt:  # Ctrl-C: one line, the shell's code for it
            raise _Failure("interrupted — an index being built was left as it was before", 130) from None
        except BrokenPipeError:  # `congres search … | head`
            sys.stderr.close()
            ctx.exit(0)
        except OSError as error:
            raise _Failure(f"{error.strerror or error}: {error.filename or ''}".rstrip(": ")) from None
        except Exception as error:
            if os.environ.get(DEBUG_ENV):
                raise
            raise _Failure(f"internal error ({type(error).__name__}: {error}) — please report it; "
                           f"set {DEBUG_ENV}=1 for details") from None


def _tolerate_unencodable_output() -> None:
    """A terminal that cannot show "é" gets "?" rather than an error."""
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="replace")


def _index_option(command):
    return click.option("--index", "index_dir", type=click.Path(path_type=Path), envvar=INDEX_ENV,
                        help=f"Index folder [default: ${INDEX_ENV}, else index/ in a source checkout, "
                             "else the user's data folder].")(command)


def _corpus_option(command):
    return click.option("--corpus", "corpus_dir", type=click.Path(path_type=Path), envvar=CORPUS_ENV,
                        help=f"Folder of reports (.txt, .pdf, .docx, .doc) or one report file [default: "
                             f"${CORPUS_ENV}, else the corpus the index was built from, else the bundled "
                             f"report].")(command)


def _engine_option(command):
    command = _opensearch_url_option(command)
    return click.option("--engine", type=click.Choice(ENGINES + REMOTE_ENGINES), envvar=ENGINE_ENV,
                        help=f"Search engine (same results) [default: ${ENGINE_ENV}, else arrays from "
                             f"{ARRAYS_FROM:,} units, else whoosh]; opensearch: the corpus published to "
                             f"the cluster at --opensearch-url.")(command)


def _opensearch_url_option(command):
    """``--opensearch-url``: handed to the Searcher (and the web server's) through its variable."""
    from indexer.opensearch_load import URL_ENV

    def remember(context, parameter, value):
        if value:
            os.environ[URL_ENV] = value
        return value

    return click.option("--opensearch-url", envvar=URL_ENV, expose_value=False, callback=remember,
                        help=f"OpenSearch cluster, credentials in the URL if needed (TLS verified) "
                             f"[default: ${URL_ENV}, else http://127.0.0.1:9200].")(command)


def _json_option(command):
    return click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of text.")(command)


def _reading_options(command):
    """The options of every command that reads the index: --json, --index, --corpus, --engine."""
    for option in (_engine_option, _corpus_option, _index_option, _json_option):
        command = option(command)
    return command


def _color() -> bool:
    return sys.stdout.isatty() and "NO_COLOR" not in os.environ


def _open(index_dir: Path | None, corpus_dir: Path | None, engine: str | None = None) -> Searcher:
    searcher = Searcher(index_dir, corpus_dir, engine=engine)
    for warning in searcher.warnings:
        click.echo(f"Warning: {_one_line(warning)}", err=True)
    if searcher.built:
        units = sum(sum(kinds.values()) for kinds in searcher.documents.values())
        click.echo(f"Built the index in {searcher.index_dir} from {searcher.corpus_dir} ({units} units).", err=True)
    return searcher


def _print_json(data) -> None:
    """JSON escapes C0 controls itself; DEL and the C1 controls are escaped too, so that no report
    text reaches the terminal as an escape sequence."""
    click.echo(_C1.sub(_escaped, json.dumps(data, ensure_ascii=False, indent=2)))


def _escaped(control: re.Match) -> str:
    return f"\\u{ord(control.group()):04x}"


_C1 = re.compile("[\x7f-\x9f]")


def _one_line(message: str) -> str:
    """A message for the terminal: one line, no control characters (they may come from input)."""
    return " ".join(plain(message).split())


@click.group(cls=_CongresGroup)
@click.version_option(package_name="congres")
def cli():
    """Search UN Crime Congress preparatory reports in French, with facets.

    Example: congres search "traite des personnes" --state Brésil
    """


#: ``congres index`` exit status when some corpus files could not be indexed (the others were).
PARTIAL_EXIT = 3


@cli.command("index")
@_corpus_option
@_index_option
@click.option("--strict", is_flag=True, help="Fail (and leave the index as it was) if any corpus file cannot be indexed.")
@click.option("--engine", type=click.Choice(REMOTE_ENGINES), help="Also publish the index to the OpenSearch cluster "
              "(new physical index, then an atomic alias swap).")
@_opensearch_url_option
@click.option("--shards", type=click.IntRange(1, 1024), default=1, show_default=True, help="OpenSearch: primary shards.")
@click.option("--replicas", type=click.IntRange(0, 16), default=0, show_default=True, help="OpenSearch: replicas of each.")
@_json_option
def index_command(corpus_dir, index_dir, strict, engine, shards, replicas, as_json):
    """Build the index from a folder of reports (swapped in when complete).

    Without --corpus, the corpus the index was built from is read again (only the reports that
    changed are parsed). Files that cannot be indexed are named with their reason; the exit
    status is then 3 (the readable reports were indexed), or 1 with --strict (nothing changed).
    """
    from indexer.build import build_index  # the search commands do without it
    from search.searcher import recorded_corpus

    index_dir = index_dir or default_index_dir()
    warnings: list[str] = []
    corpus_dir = corpus_dir or recorded_corpus(index_dir, warnings)
    for warning in warnings:
        click.echo(f"Warning: {_one_line(warning)}", err=True)
    progress = _BuildProgress() if sys.stderr.isatty() and not as_json else None  # not in pipes, logs, tests
    try:
        manifest = build_index(corpus_dir, index_dir, on_progress=progress, strict=strict,
                               on_wait=lambda: click.echo("Waiting for another build of this index to finish…",
                                                          err=True))
    finally:
        if progress:
            progress.finish()
    skipped = [{"file": entry["file"], "reason": entry["reason"]} for entry in manifest.skipped]
    published = None
    if engine in REMOTE_ENGINES:
        from indexer.opensearch_load import publish
        from indexer.store import Generation

        published = publish(Generation.current(index_dir), shards=shards, replicas=replicas)
        if not as_json:
            click.echo(f"Published to OpenSearch as {published} ({shards} shard{'s' if shards != 1 else ''}, "
                       f"{replicas} replica{'s' if replicas != 1 else ''}).", err=True)
    if as_json:
        _print_json({**({"opensearch_index": published} if published else {}),
                     "corpus": str(corpus_dir), "index": str(index_dir), "generation": manifest_generation(index_dir),
                     "units": manifest.unit_count, "reports": {
                         doc: {**manifest.reports.get(doc, {}), **kinds} for doc, kinds in manifest.documents.items()},
                     "skipped": skipped, "notes": manifest.notes, "complete": not skipped})
    else:
        reports = len(manifest.documents)
        click.echo(f"Indexed {reports} report{'s' if reports != 1 else ''} from {corpus_dir} into {index_dir}: "
                   f"{manifest.unit_count} units.")
        listed = list(manifest.documents.items())
        for doc, kinds in listed[:LISTED_REPORTS]:
            symbol = (manifest.reports.get(doc) or {}).get("symbol")
            click.echo(f"  {doc}{f' ({symbol})' if symbol else ''}: {kinds['paragraph']} paragraphs, "
                       f"{kinds['recommendation']} recommendations")
        if len(listed) > LISTED_REPORTS:
            click.echo(f"  … and {len(listed) - LISTED_REPORTS} more (`congres reports` lists them all)")
        _warn_about(manifest.notes)
    for entry in skipped:
        click.echo(f"Skipped: {_one_line(entry['file'])}: {_one_line(entry['reason'])}", err=True)
    if skipped:
        click.echo(f"Warning: {len(skipped)} file{'s' if len(skipped) != 1 else ''} of the corpus could not be "
                   f"indexed (listed above); the others were", err=True)
        sys.exit(PARTIAL_EXIT)


def manifest_generation(index_dir: Path) -> str:
    from indexer.store import Generation

    current = Generation.current(index_dir)
    return current.name if current else ""


def _warn_about(notes: list[str]) -> None:
    """What the parser had to mend, one line each (the first ones of a large corpus, then a count)."""
    for note in notes[:LISTED_REPORTS]:
        click.echo(f"Warning: {_one_line(note)}", err=True)
    if len(notes) > LISTED_REPORTS:
        click.echo(f"Warning: … and {len(notes) - LISTED_REPORTS} more numbering problems", err=True)


@cli.command("trust")
@_index_option
def trust_command(index_dir):
    """Trust an index someone gave you: sign it with your key, as it is now.

    An index holds files that Python unpickles, so congres opens only the indexes built (or
    trusted) by you. Trust only a folder from someone you trust: rebuilding it with
    `congres index` needs no trust at all.
    """
    from indexer.trust import trust

    index_dir = index_dir or default_index_dir()
    generation, files = trust(index_dir)
    click.echo(f"Trusted the index in {index_dir} ({generation.name}): its {files} files are signed with your key.")


#: Reports listed after an index build; a corpus of the whole series would fill the screen.
LISTED_REPORTS = 10


class _BuildProgress:
    """What a long ``congres index`` is doing, on stderr: a bar over the reports parsed,
    then a line while the index is written (a large corpus takes minutes)."""

    LABELS = {"reports": "Reading reports", "index": "Writing the index…"}

    def __init__(self):
        self._stage, self._bar = None, None

    def __call__(self, stage: str, done: int, total: int) -> None:
        if stage != self._stage:
            self.finish()
            self._stage = stage
            label = self.LABELS.get(stage, stage)
            if total > 1:
                self._bar = click.progressbar(length=total, label=label, file=sys.stderr)
                self._bar.render_progress()
            else:
                click.echo(label, err=True)
        if self._bar is not None:
            self._bar.update(done - self._bar.pos)
            if done >= total:
                self.finish()  # before "Waiting for another build…", if that comes next

    def finish(self) -> None:
        if self._bar is not None:
            self._bar.render_finish()
            self._bar = None


class _SearchCommand(click.Command):
    """Takes ``-word`` as a query word (an exclusion), but still rejects a mistyped ``--option``."""

    def parse_args(self, ctx, args):
        known = {opt for param in self.get_params(ctx) for opt in param.opts + param.secondary_opts}
        before_separator = args[:args.index("--")] if "--" in args else args
        for arg in before_separator:
            name = arg.split("=", 1)[0]
            if name.startswith("--") and name != "--" and name not in known:
                raise click.NoSuchOption(name, possibilities=sorted(known), ctx=ctx)
        return super().parse_args(ctx, args)


#: The facet options of `congres search`, most used first; the filters are listed in this order too.


def _facet_options(command):
    """One ``--NAME`` option per facet of the registry (``indexer.facets``)."""
    for name in reversed(FILTER_ORDER):
        facet = BY_NAME[name]
        command = click.option(facet.option, facet.name, multiple=True, help=facet.help)(command)
    return command


FORMATS = ("text", "json", "csv", "jsonl")


@cli.command("search", cls=_SearchCommand, context_settings={"ignore_unknown_options": True})
@click.argument("query", nargs=-1)
@_facet_options
@click.option("--limit", type=click.IntRange(1, MAX_LIMIT), default=10, show_default=True, help="Results per page.")
@click.option("--page", type=click.IntRange(1, 1_000_000), default=1, show_default=True, help="Page of results.")
@click.option("--all", "every_page", is_flag=True, help="Every result, not one page (for --format csv, jsonl, json).")
@click.option("--sort", type=click.Choice(SORTS), default="relevance", show_default=True,
              help="relevance, or document: the matching units in the order of the reports.")
@click.option("--format", "output", type=click.Choice(FORMATS), default=None,
              help="text (default), json (= --json), csv (one row per hit, for spreadsheets), jsonl (one hit per line).")
@click.option("--explain", is_flag=True, help="Show how the query was understood (terms, synonyms, corrections…).")
@_reading_options
def search_command(query, limit, page, every_page, sort, output, explain, as_json, index_dir, corpus_dir, engine,
                   **facet_values):
    """Search the reports. An empty QUERY with filters lists the matching units in order.

    The words of QUERY may be given as one argument or several.

    QUERY syntax: words (units with all of them first), "a phrase", -excluded,
    OR, (groups), prefix*, state:Brésil theme:corruption agenda:5.

    Example: congres search "armes à feu" --agenda 5 --state BRA
    """
    if as_json and output not in (None, "json"):
        raise click.UsageError(f"--json and --format {output} contradict each other: choose one")
    output = "json" if as_json else output or "text"
    if every_page and output == "text":
        raise click.UsageError("--all is for --format csv, jsonl or json (text shows one page: use --page)")
    query = " ".join(query)
    filters = _filters_of(facet_values)
    with _open(index_dir, corpus_dir, engine) as searcher:
        if output in ("csv", "jsonl"):
            from search import export

            if every_page:
                hits = export.iter_all_hits(searcher, query, filters, sort=sort)
            else:
                hits = searcher.search(query, filters=filters, limit=limit, offset=(page - 1) * limit, sort=sort).hits
            for line in (export.csv_lines if output == "csv" else export.jsonl_lines)(hits):
                # no control character reaches the terminal: the CSV's cells have none, JSON escapes C1 too
                click.echo(line if output == "csv" else _C1.sub(_escaped, line), nl=False)
            return
        if every_page:  # the total, facets and notices, then the hits of every page
            from search import export

            results = searcher.search(query, filters=filters, limit=0, sort=sort)
            results.hits = list(export.iter_all_hits(searcher, query, filters, sort=sort))
            results.limit = len(results.hits)
        else:
            results = searcher.search(query, filters=filters, limit=limit, offset=(page - 1) * limit, sort=sort)
    if output == "json":
        _print_json(results.to_dict(explain=explain))
        return
    for notice in results.notices:
        click.echo(f"Note: {_one_line(notice)}", err=True)
    if explain:
        click.echo(render_explanation(results, _color()) + "\n")
    click.echo(render_results(results, _color(), show_doc=results.reports > 1))


def _filters_of(facet_values: dict) -> dict[str, list[str]]:
    return {name: list(facet_values[name]) for name in FILTER_ORDER if facet_values.get(name)}


@cli.command("show")
@click.argument("unit_id", metavar="ID", nargs=-1, required=True)
@_reading_options
def show_command(unit_id, as_json, index_dir, corpus_dir, engine):
    """Print one unit in full with its metadata.

    ID: 28, 37f, "37 f)", "par. 37 f)", doc:37f, or the UN citation
    "A/CONF.241/RPM.2/1, par. 37 f)" (quoted or not).
    """
    with _open(index_dir, corpus_dir, engine) as searcher:
        if as_json:
            _print_json(searcher.unit_object(" ".join(unit_id)))
        else:
            click.echo(render_unit(searcher.get(" ".join(unit_id)), _color()))


@cli.command("facets", cls=_SearchCommand, context_settings={"ignore_unknown_options": True})
@click.argument("facet_and_query", metavar="[FACET] [QUERY]...", nargs=-1)
@_facet_options
@_reading_options
def facets_command(facet_and_query, as_json, index_dir, corpus_dir, engine, **facet_values):
    """List the values of one facet (or all) with their numbers of units.

    With a QUERY or filters (the same as `congres search`), the counts are those of the matching
    units, each facet's own filter left out (as beside search results).

    Example: congres facets state --theme cybercriminalité
    """
    facet, words = _facet_and_query(facet_and_query)
    query, filters = " ".join(words), _filters_of(facet_values)
    names = [facet] if facet else list(FACETS)
    with _open(index_dir, corpus_dir, engine) as searcher:
        if query.strip() or filters:
            counted = searcher.search(query, filters=filters, limit=0).facets
            table = {name: counted[name] for name in names}
        else:
            table = {name: searcher.facet_values(name) for name in names}
    if as_json:
        _print_json({name: [row.to_dict() for row in rows] for name, rows in table.items()})
    else:
        click.echo("\n\n".join(render_facet_table(name, rows) for name, rows in table.items()))


def _facet_and_query(args: tuple[str, ...]) -> tuple[str | None, tuple[str, ...]]:
    """The facet named first, if any, and the query words after it."""
    if not args:
        return None, ()
    if args[0] in FACETS or args[0] == "all":
        return (None if args[0] == "all" else args[0]), args[1:]
    choices = ", ".join(f"'{name}'" for name in (*FACETS, "all"))
    raise click.BadParameter(f"'{args[0]}' is not one of {choices} (the facet comes first, then the query)",
                             param_hint="'[FACET]'")


@cli.command("reports")
@_reading_options
def reports_command(as_json, index_dir, corpus_dir, engine):
    """List the indexed reports with their metadata: symbol, meeting, place, dates, languages."""
    with _open(index_dir, corpus_dir, engine) as searcher:
        reports, documents = searcher.reports, searcher.documents
    if as_json:
        _print_json({doc: {**meta, **documents.get(doc, {})} for doc, meta in reports.items()})
    else:
        click.echo(render_reports(reports, documents))


@cli.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on; anything but loopback exposes the search to the network.")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True, help="Port (0: any free one).")
@_engine_option
@_corpus_option
@_index_option
def serve_command(host, port, index_dir, corpus_dir, engine):
    """Serve the search as a web page and an HTTP API (Ctrl-C stops it).

    Example: congres serve --port 8080, then open http://127.0.0.1:8080/
    """
    from search.web import serve  # the web framework is imported by this command alone

    with _open(index_dir, corpus_dir, engine) as searcher:  # warnings and builds said as by `congres search`
        serve(host=host, port=port, index_dir=index_dir, corpus_dir=corpus_dir, engine=engine, searcher=searcher)


def main() -> None:
    cli(args=[_as_typed(arg) for arg in sys.argv[1:]], prog_name="congres")


def _as_typed(arg: str) -> str:
    """An argument as the user typed it. Under a C locale without UTF-8 mode, Python decodes the
    command line as ASCII, escaping every other byte ("sécurité" → "s\\udcc3\\udca9curit…"): the
    bytes are read again as UTF-8, which is what terminals send."""
    try:
        return os.fsencode(arg).decode("utf-8")
    except UnicodeDecodeError:
        return arg  # not UTF-8 either: the search replaces what cannot be read
