"""``selfdex eval``: the public-data evaluation of the person's agent against platform baselines.

Heavy imports (numpy, scipy, implicit, the embedder) happen inside the commands, so the rest of
the CLI stays fast and works without the ``eval`` extra.
"""

from __future__ import annotations

import dataclasses
import shlex
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import click
from rich.console import Console

from .common import Reporter

console = Console(stderr=True)

DATASET_ALIASES = {
    "food-kitchen": "amazon-food-kitchen",
    "arts-office": "amazon-arts-office",
    "amazon-food-kitchen": "amazon-food-kitchen",
    "amazon-arts-office": "amazon-arts-office",
}


@contextmanager
def _progress() -> Iterator[Callable[[str, int], Callable[[int], None]]]:
    """eval's ``progress(description, total) -> advance(n)``: bars that stay on a terminal (the run's
    record), and plain lines every few seconds and at each step's end in a log."""
    with Reporter(console, keep=True) as reporter:
        yield reporter.task


def _command(sub: str) -> str:
    """The command line as a user would type it, whatever wrapper launched us."""
    argv = sys.argv[sys.argv.index(sub) + 1 :] if sub in sys.argv else sys.argv[1:]
    return " ".join(["selfdex eval", sub, *(shlex.quote(a) for a in argv)])


def _data_dir(data: str | None) -> Path:
    from ..eval.datasets import HOW_TO_GET, default_data_dir

    if data:
        return Path(data).expanduser()
    found = default_data_dir()
    if found is None:
        raise click.ClickException(
            f"no --data given and <repo>/../shared/data does not exist.\n\n{HOW_TO_GET}"
        )
    return found


def _vectors(cache: str | None, no_cache: bool):  # type: ignore[no-untyped-def]
    from ..index.embed import default_embedder
    from ..rank import TextVectors

    emb = default_embedder(Path(cache) if cache else None, use_cache=not no_cache)
    return TextVectors(emb), emb.name


data_option = click.option(
    "--data", type=click.Path(file_okay=False), help="Data directory (default: <repo>/../shared/data)."
)
out_option = click.option(
    "--out",
    type=click.Path(file_okay=False),
    default="eval-results",
    show_default=True,
    help="Report directory.",
)
cache_option = click.option("--cache", type=click.Path(dir_okay=False), help="Embedding cache file (SQLite).")
no_cache_option = click.option("--no-cache", is_flag=True, help="Embed everything afresh; write no cache.")


@click.group("eval")
def eval_group() -> None:
    """Measure the person's agent against platform baselines on public data."""


@eval_group.command("cross-platform")
@data_option
@click.option(
    "--dataset",
    "datasets",
    multiple=True,
    type=click.Choice(sorted(DATASET_ALIASES)),
    default=("food-kitchen",),
    show_default=True,
    help="Repeat for several.",
)
@click.option(
    "--sampling",
    type=click.Choice(["pop49", "uni99", "both"]),
    default="pop49",
    show_default=True,
    help="Negatives: 49 popularity-proportional or 99 uniform.",
)
@click.option(
    "-k",
    "ks",
    multiple=True,
    default=("full", "0", "1", "2"),
    show_default=True,
    help="Within-platform history kept: 'full' or the last k items.",
)
@click.option(
    "--max-cases", type=int, help="Evaluate a seeded random subset of this many valid and test cases."
)
@click.option(
    "--baselines",
    default="Pop,ItemKNN,BPR-MF",
    show_default=True,
    help="Comma-separated platform baselines.",
)
@click.option("--seed", type=int, default=0, show_default=True)
@click.option(
    "--seeds",
    "n_seeds",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Run the whole evaluation with seeds SEED … SEED+N−1 (each a new draw of negatives, subsets, "
    "BPR-MF initialisation and tie breaks) and report each headline difference's mean, SD and range "
    "over them; every other number in the report is the first seed's (the language model runs on it only).",
)
@click.option("--bpr-iterations", type=int, default=100, show_default=True)
@click.option("--no-tune", is_flag=True, help="Use the ranker's default weights instead of tuning on valid.")
@click.option(
    "--no-other-users",
    is_flag=True,
    help="Skip condition (c), reported for scale apart from the agent: cross-domain co-occurrence "
    "learned from other (training) users, which a person's own agent does not have.",
)
@click.option(
    "--llm-ranker",
    metavar="MODEL",
    help="Also let this configured model (see `selfdex models list`) re-rank (a)'s and (b)'s lists on a "
    "seeded random subset of test cases.",
)
@click.option(
    "--llm-subset",
    type=int,
    default=10,
    show_default=True,
    help="Test cases in that subset (small models take minutes per 50-candidate list on 2 cores).",
)
@click.option(
    "--llm-k",
    default="0",
    show_default=True,
    help="History length the model runs at: 'full' or k.",
)
@click.option(
    "--no-date",
    is_flag=True,
    help="Skip condition (t): the platform, (a) and (b) all given the same estimate of the date "
    "(from the data's listing order, where it has one).",
)
@click.option(
    "--no-transfer",
    is_flag=True,
    help="Skip conditions (s) and (p): the transfer models shipped with selfdex (trained on public "
    "data, never on the evaluated users) re-ranking with (a)'s and (b)'s input.",
)
@out_option
@cache_option
@no_cache_option
def cross_platform_cmd(
    data: str | None,
    datasets: tuple[str, ...],
    sampling: str,
    ks: tuple[str, ...],
    max_cases: int | None,
    baselines: str,
    seed: int,
    n_seeds: int,
    bpr_iterations: int,
    no_tune: bool,
    no_other_users: bool,
    llm_ranker: str | None,
    llm_subset: int,
    llm_k: str,
    no_date: bool,
    no_transfer: bool,
    out: str,
    cache: str | None,
    no_cache: bool,
) -> None:
    """Cross-platform re-ranking: platform baselines vs the person's agent with (a) within-platform
    and (b) full cross-platform history, at full history and cold start (k = 0, 1, 2); condition (t)
    gives all of them the same clock; for scale, a separate condition (c) that also learns from
    other users' cross-domain histories."""
    from ..eval.cross_run import run_cross_platform
    from ..eval.datasets import DataMissing, load_cross_domain
    from ..eval.protocols import CrossPlatformConfig
    from ..eval.report import write_report
    from ..eval.report_cross import cross_platform_summary
    from ..eval.seeds import seed_spread

    if llm_ranker and llm_k not in ks:
        raise click.BadParameter(f"{llm_k!r} is not among the -k values", param_hint="--llm-k")
    root = _data_dir(data)
    kvals = tuple(None if k == "full" else int(k) for k in ks)
    samplings = ("pop49", "uni99") if sampling == "both" else (sampling,)
    backend = _llm_backend(llm_ranker) if llm_ranker else None
    vectors, emb_name = _vectors(cache, no_cache)
    for ds in dict.fromkeys(DATASET_ALIASES[d] for d in datasets):
        try:
            dataset = load_cross_domain(ds, root)
        except DataMissing as exc:
            raise click.ClickException(str(exc)) from exc
        for smp in samplings:
            cfg = CrossPlatformConfig(
                ds,
                sampling=smp,
                ks=kvals,
                baselines=tuple(b.strip() for b in baselines.split(",") if b.strip()),
                seed=seed,
                max_cases=max_cases,
                bpr_iterations=bpr_iterations,
                tune=not no_tune,
                other_users=not no_other_users,
                date_known=not no_date,
                transfer=not no_transfer,
                llm_ranker=llm_ranker,
                llm_subset=llm_subset,
                llm_k=None if llm_k == "full" else int(llm_k),
            )
            console.print(
                f"[bold]{ds}[/] · {smp} · k={','.join(ks)} · cases={'all' if max_cases is None else max_cases}"
            )
            with _progress() as prog:
                res = run_cross_platform(dataset, vectors, cfg, prog, backend=backend)
            spread = summary = None
            if n_seeds > 1:
                seeds = list(range(seed, seed + n_seeds))
                summary = cross_platform_summary(res)
                summaries = [summary]
                for more in seeds[1:]:
                    console.print(f"seed {more} of {seeds[0]}…{seeds[-1]}")
                    again = dataclasses.replace(cfg, seed=more, llm_ranker=None)
                    with _progress() as prog:
                        summaries.append(
                            cross_platform_summary(run_cross_platform(dataset, vectors, again, prog))
                        )
                spread = seed_spread(summaries, seeds)
            paths = write_report(
                Path(out),
                res,
                embedder=emb_name,
                checksums=dataset.checksums,
                command=_command("cross-platform"),
                spread=spread,
                summary=summary,
            )
            console.print(f"wrote {paths['md']} ({res.timings['total_s']:.0f} s)")


@eval_group.command("llmrank")
@data_option
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--bpr-iterations", type=int, default=300, show_default=True)
@click.option("--bpr-learning-rate", type=float, default=0.05, show_default=True)
@click.option("--bpr-regularization", type=float, default=0.01, show_default=True)
@click.option(
    "--bpr-pop-correction",
    type=float,
    default=None,
    help="beta of the log-q correction for implicit's popularity-weighted negatives (0 = raw scores, "
    "1 = full); default: chosen on valid from 0, 0.5, 1.",
)
@click.option("--no-tune", is_flag=True, help="Use the ranker's default weights instead of tuning on valid.")
@click.option(
    "--llm-ranker",
    metavar="MODEL",
    help="Also let this model (see `selfdex models list`, e.g. embedded-0.5b) re-rank the default "
    "ranker's list, as `recommend --rerank` does, on a random subset of users.",
)
@click.option(
    "--llm-subset",
    type=click.IntRange(1, 200),
    default=20,
    show_default=True,
    help="Users in that seeded random subset (small models take about a minute per list on 2 cores).",
)
@out_option
@cache_option
@no_cache_option
def llmrank_cmd(
    data: str | None,
    seed: int,
    bpr_iterations: int,
    bpr_learning_rate: float,
    bpr_regularization: float,
    bpr_pop_correction: float | None,
    no_tune: bool,
    llm_ranker: str | None,
    llm_subset: int,
    out: str,
    cache: str | None,
    no_cache: bool,
) -> None:
    """LLMRank Games zero-shot check: Pop and BPR-MF reproduced against the published rows, and the
    embedded default next to ChatGPT/GPT-4."""
    from ..eval.datasets import DataMissing, load_llmrank_games
    from ..eval.llmrank import LLMRankConfig, run_llmrank
    from ..eval.report import llmrank_summary, write_report

    root = _data_dir(data)
    try:
        dataset = load_llmrank_games(root)
    except DataMissing as exc:
        raise click.ClickException(str(exc)) from exc
    backend = _llm_backend(llm_ranker) if llm_ranker else None
    vectors, emb_name = _vectors(cache, no_cache)
    cfg = LLMRankConfig(
        seed=seed,
        bpr_iterations=bpr_iterations,
        bpr_learning_rate=bpr_learning_rate,
        bpr_regularization=bpr_regularization,
        bpr_pop_correction=bpr_pop_correction,
        tune=not no_tune,
        llm_ranker=llm_ranker,
        llm_subset=llm_subset,
    )
    if backend is not None:
        console.print(f"LLM re-ranking with {backend.name} on a seeded random subset of {llm_subset} users")
    with _progress() as prog:
        res = run_llmrank(dataset, vectors, cfg, prog, backend=backend)
    paths = write_report(
        Path(out), res, embedder=emb_name, checksums=dataset.checksums, command=_command("llmrank")
    )
    for m, c in llmrank_summary(res)["reproduction"].items():
        console.print(
            f"{m}: max |ours − published| = {c['max_abs_diff_points']:.2f} points → {'PASS' if c['within_3_points'] else 'FAIL'}"
        )
    if res.llm is not None:
        ls = llmrank_summary(res)["llm_rerank"]
        console.print(
            f"{ls['model']} re-ranking, {ls['n_users']} users: NDCG@10 {ls['rows']['llm']['NDCG@10']:.2f} "
            f"vs base {ls['rows']['base']['NDCG@10']:.2f}; parse failures {ls['parse_failures']}/{ls['n_users']}; "
            f"{ls['seconds_per_list']['mean']:.1f} s per list"
        )
    console.print(f"wrote {paths['md']}")


def _llm_backend(name: str):  # type: ignore[no-untyped-def]
    """The named model's backend; a configuration problem is the user's to fix."""
    from ..agent.backends import BackendError, open_backend
    from ..agent.config import ConfigError, resolve_model

    try:
        spec = resolve_model(name)
        if spec is None:
            raise click.ClickException(f"no model named {name!r} (see `selfdex models list`)")
        console.print(f"[dim]loading {spec.name}…[/]")
        return open_backend(spec)
    except (ConfigError, BackendError, FileNotFoundError, ValueError) as exc:
        raise click.ClickException(str(exc)) from exc


@eval_group.command("readme")
@click.option(
    "--from",
    "results",
    type=click.Path(file_okay=False, exists=True),
    default="eval-results",
    show_default=True,
    help="Directory holding the reports.",
)
def readme_cmd(results: str) -> None:
    """Print a README results section generated from the latest reports."""
    from ..eval.report import readme_section

    click.echo(readme_section(Path(results)))


COMMANDS = [eval_group]


@eval_group.command("train-transfer")
@data_option
@click.option(
    "--dataset",
    type=click.Choice(sorted(DATASET_ALIASES)),
    required=True,
    help="Train on this dataset's training users only (never its valid or test users).",
)
@click.option("--sampling", type=click.Choice(["pop49", "uni99"]), default="pop49", show_default=True)
@click.option("--seed", type=int, default=0, show_default=True)
@click.option(
    "--max-users", type=int, default=3000, show_default=True, help="Training users made into episodes."
)
@click.option(
    "--out",
    type=click.Path(file_okay=False),
    default=None,
    help="Model directory (default: the package's rank/models, where the shipped models live).",
)
@cache_option
@no_cache_option
def train_transfer_cmd(
    data: str | None,
    dataset: str,
    sampling: str,
    seed: int,
    max_users: int,
    out: str | None,
    cache: str | None,
    no_cache: bool,
) -> None:
    """Train the transfer models that conditions (s), (p) and (d) ship (issue 14): LightGBM
    lambdarank, one thread, seeded; saved as numpy-readable trees with their training command and
    data sha256. Two models on the same episodes: transfer-NAME.json (what (s), (d) and
    `recommend` use) and transfer-NAME-adapted.json with the catalogue pair's cross-domain adapter
    and word towers (transfer-NAME-adapted.adapter.npz, .towers.npz; what (p) uses), and each one's -dated twin that also reads
    the date's two columns (what (t)(s) and (t)(p) use)."""
    import json

    from threadpoolctl import threadpool_limits

    from ..eval.datasets import DataMissing, load_cross_domain
    from ..eval.transfer import TransferConfig, train_transfer_models
    from ..rank.transfer import MODEL_DIR, adapter_path, model_path, towers_path

    name = DATASET_ALIASES[dataset]
    try:
        ds = load_cross_domain(name, _data_dir(data))
    except DataMissing as exc:
        raise click.ClickException(str(exc)) from exc
    vectors, emb_name = _vectors(cache, no_cache)
    cfg = TransferConfig(name, sampling=sampling, seed=seed, max_users=max_users)
    with threadpool_limits(limits=1, user_api="blas"), _progress() as prog:
        trained = train_transfer_models(ds, vectors, cfg, prog)
    d = Path(out) if out else MODEL_DIR
    for kind, (model, info) in trained.items():
        model.meta["command"] = _command("train-transfer")
        model.meta["embedder"] = emb_name
        path = d / model_path(name, adapted=kind.startswith("adapted"), dated=kind.endswith("-dated")).name
        model.save(path)
        if model.adapter is not None and model.towers is not None:
            model.adapter.save(adapter_path(path))
            model.towers.save(towers_path(path))
        path.with_name(path.name.removesuffix(".json") + ".info.json").write_text(
            json.dumps(model.meta, indent=2) + "\n", encoding="utf-8"
        )
        console.print(
            f"wrote {path}: {info['episodes']} episodes, {info['rounds']} rounds, "
            f"valid NDCG@10 {info['valid_ndcg@10']:.3f}"
        )
