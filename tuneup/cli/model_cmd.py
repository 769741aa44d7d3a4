"""`tuneup fit`, `recommend`, `why`, `taste` and `eval`: the model from the shell."""

from __future__ import annotations

from pathlib import Path

import typer

from tuneup.cli.common import JsonOption, ProfileOption, get_env, out_console, print_json, say


def _model(env, refit: bool = False):
    from tuneup.model.api import fit, load_or_fit

    if refit:
        return fit(env.db, env.paths.model_dir)
    return load_or_fit(env.db, env.paths.model_dir)


def _item_lines(env, recs) -> list[dict]:
    from tuneup.store.items import ALL, by_ids

    rows = {
        item.id: {"title": item.title, "artist": item.artist, "path": item.path, "kind": item.kind}
        for item in by_ids(env.db, [r.item_id for r in recs], scope=ALL).values()
    }
    return [{**r.as_dict(), **rows.get(r.item_id, {})} for r in recs]


def _print_recs(lines: list[dict]) -> None:
    from rich.text import Text

    from tuneup.text import display

    console = out_console()
    for n, line in enumerate(lines, 1):
        text = Text(f"{n:>3}. ")
        text.append(
            display(
                f"{line.get('artist') or '?'} - "
                f"{line.get('title') or line.get('path') or line['item_id']}"
            )
        )
        text.append(
            f"  [{'explore' if line['exploration'] else round(line['score'], 3)}] ", style="dim"
        )
        text.append(display(line["reason"]), style="italic")
        console.print(text)


def fit_cmd(ctx: typer.Context, profile: str = ProfileOption, json: bool = JsonOption) -> None:
    """Fit the model on the whole library and history now, and save it."""
    import time

    from tuneup.cli.common import progress_bar
    from tuneup.model.api import fit

    env = get_env(ctx, profile)
    started = time.perf_counter()
    with progress_bar("fitting", unit="steps") as bar:
        model = fit(env.db, env.paths.model_dir, progress=bar)
    info = {
        "items": model.n_items,
        "profiles": len(model.profile_events),
        "seconds": round(time.perf_counter() - started, 2),
        "ease_items": int(len(model.collab.ease_rows)),
        "audio_dims": int(model.audio.shape[1]),
        "ranker_trained": sorted(
            pid for pid, (w, _) in model.ranker_weights.items() if w is not None
        ),
    }
    if json:
        print_json(info)
    else:
        say(f"fitted {info['items']} items for {info['profiles']} profiles in {info['seconds']} s")


def recommend_cmd(
    ctx: typer.Context,
    k: int = typer.Option(20, "-k", "--count", help="How many items."),
    unplayed: bool = typer.Option(False, "--unplayed", help="Only items never played."),
    kind: str = typer.Option(None, "--kind", help="Only this kind: track, episode, movie, video."),
    adventurousness: int = typer.Option(
        None, "--adventurousness", min=0, max=100, help="0-100; default from settings."
    ),
    seed: int = typer.Option(
        None, "--seed", help="Random seed (exploration), for repeatable lists."
    ),
    profile: str = ProfileOption,
    json: bool = JsonOption,
) -> None:
    """Show what the model recommends right now, each with its reason (for inspection)."""
    from datetime import datetime

    env = get_env(ctx, profile)
    adv = env.config.get("adventurousness") if adventurousness is None else adventurousness
    recs = _model(env).recommend(
        env.profile_id,
        k,
        unplayed=unplayed,
        kinds=kind,
        context=datetime.now(),
        adventurousness=adv,
        seed=seed,
    )
    from tuneup.mixes.truth import honest_recs

    lines = _item_lines(env, honest_recs(env.db, env.profile_id, recs))
    print_json(lines) if json else _print_recs(lines)


def why_cmd(
    ctx: typer.Context,
    item: str = typer.Argument(
        ..., help='An item id, a file path, or "artist - title".', metavar="ITEM"
    ),
    profile: str = ProfileOption,
    json: bool = JsonOption,
) -> None:
    """Explain how the model sees one item for this profile: its reason, features and weights."""
    from datetime import datetime

    from tuneup.store.resolve import resolve

    env = get_env(ctx, profile)
    item_id = resolve(env.db, item).id  # any item: the model says why one is not in it
    from tuneup.mixes.truth import honest_recs

    rec = _model(env).explain(env.profile_id, item_id, context=datetime.now())
    (rec,) = honest_recs(env.db, env.profile_id, [rec])  # no "close to what you play" at 0.0
    line = _item_lines(env, [rec])[0]
    if json:
        print_json(line)
        return
    _print_recs([line])
    console = out_console()
    for key, value in rec.evidence.get("features", {}).items():
        weight = rec.evidence.get("weights", {}).get(key, 0.0)
        console.print(f"     {key:<20} {value:>8.3f}  x {weight:+.3f}", markup=False)


def taste_cmd(
    ctx: typer.Context,
    forget_cluster: int = typer.Option(
        None,
        "--forget-cluster",
        metavar="N",
        help="Leave cluster N's items out of your taste (an exclusion rule; undo with "
        "`tuneup exclude --undo ID`).",
    ),
    profile: str = ProfileOption,
    json: bool = JsonOption,
) -> None:
    """Summarise this profile's taste: top genres and artists, times of day, its clusters and the
    exclusion rules; --forget-cluster N takes a cluster out of it."""
    env = get_env(ctx, profile)
    from tuneup.store import exclusions

    taste = _model(env).taste(env.profile_id)
    if forget_cluster is not None:
        from tuneup.mixes.exclude import forget_cluster as forget

        rule = forget(env.db, env.profile_id, taste.clusters, forget_cluster)
        if json:
            print_json(rule.as_dict())
        else:
            say(f"rule {rule.id}: {rule.describe()} (undo: tuneup exclude --undo {rule.id})")
        return
    rules = exclusions.rules(env.db, env.profile_id)
    if json:
        print_json({**taste.as_dict(), "exclusions": [r.as_dict() for r in rules]})
        return
    from tuneup.text import display

    console = out_console()
    lines = [
        f"genres:  {', '.join(g for g, _ in taste.top_genres) or '-'}",
        f"artists: {', '.join(a for a, _ in taste.top_artists) or '-'}",
        *(f"{part:<10} {', '.join(genres)}" for part, genres in taste.day_parts.items()),
        *(
            f"cluster {n}: {c.name} ({len(c.item_ids)} items)"
            for n, c in enumerate(taste.clusters, 1)
        ),
        *(f"excluded {r.id}: {r.describe()}" for r in rules),
    ]
    for line in lines:
        console.print(display(line), markup=False)


def eval_cmd(
    ctx: typer.Context,
    directory: Path = typer.Argument(
        None, help="Dataset directory with interactions.csv and items.csv."
    ),
    holdout: int = typer.Option(
        10, "--holdout", help="Hold out each profile's last N interactions."
    ),
    k: int = typer.Option(10, "--k", help="Cut-off for HR, Recall and NDCG."),
    recommend_only: bool = typer.Option(
        False, "--recommend-only", help="Fit on everything and write recommendations instead."
    ),
    recs_out: Path = typer.Option(
        None, "--recs-out", help="Where --recommend-only writes profile,item,rank,score."
    ),
    self_: bool = typer.Option(
        False, "--self", help="How well would last week's model have predicted this week?"
    ),
    models: str = typer.Option(
        "all", "--models", help="Comma-separated: popularity,content,knn,als,ease,hybrid."
    ),
    profile: str = ProfileOption,
    json: bool = JsonOption,
) -> None:
    """Measure the model honestly: hold out each profile's last interactions and rank every unseen item."""
    from tuneup.model import eval_holdout as ev

    if self_:
        env = get_env(ctx, profile)
        from tuneup.model.eval_last_week import self_eval

        result = self_eval(env.db, env.profile_id, k=k)
        print_json(result) if json else _print_table(
            [result["hybrid"], *result["baselines"]], result["note"]
        )
        return
    if directory is None:
        raise typer.BadParameter("give a dataset DIR, or --self")
    from tuneup.model.sources import from_csv

    ds, prof_key, item_key = from_csv(directory)
    if recommend_only:
        if recs_out is None:
            raise typer.BadParameter("--recommend-only needs --recs-out FILE")
        n = ev.write_recommendations(ds, prof_key, item_key, k, recs_out)
        say(f"wrote {n} recommendations for {len(prof_key)} profiles to {recs_out}")
        return
    split = ev.temporal_split(ds, holdout)
    results = []
    for rec in ev.recommenders(models):
        if rec.max_items is not None and len(ds.catalogue) > rec.max_items:
            say(
                f"skipped {rec.name}: {len(ds.catalogue)} items is too many for this dense baseline"
            )
            continue
        results.append(ev.evaluate(rec, split, k))
    note = f"{len(split.targets)} profiles, last {holdout} held out, all unseen items ranked"
    print_json({"k": k, "holdout": holdout, "results": results}) if json else _print_table(
        results, note
    )


def _print_table(results: list[dict], note: str) -> None:
    from rich.table import Table

    table = Table(title=note, title_justify="left")
    cols = [c for c in results[0] if c != "model"]
    table.add_column("model")
    for c in cols:
        table.add_column(c, justify="right")
    for r in results:
        table.add_row(str(r["model"]), *[str(r[c]) for c in cols])
    out_console().print(table)


def register(app: typer.Typer) -> None:
    app.command("fit")(fit_cmd)
    app.command("recommend")(recommend_cmd)
    app.command("why")(why_cmd)
    app.command("taste")(taste_cmd)
    app.command("eval")(eval_cmd)
