"""The prompt mix from the command palette: typed, built in a worker, queued; refined from the last
prompt; an unknown word is one notification with did-you-mean."""

from __future__ import annotations

import asyncio

from tuidata import TODAY, fill, mixes_from_db, settle

from tuneup.mixes.prompt import last_prompt
from tuneup.tui.app import create_app
from tuneup.tui.commands import TuneupCommands


async def _prompt(app, pilot, text: str) -> None:
    hit = next(h for h in [h async for h in TuneupCommands(app.screen).search("prompt mix")])
    await hit.command()
    await settle(app, pilot)
    box = app.screen.query_one("#prompt")
    box.value = ""
    await pilot.press(*text)  # typed key by key
    await pilot.press("enter")
    await settle(app, pilot, 0.3)


def test_a_prompt_from_the_palette_queues_its_mix(env):
    env.paths.ensure()
    fill(env.paths.db_file)
    played = []

    async def run():
        app = create_app(env, rows_loader=mixes_from_db, today=TODAY, onboarding=False)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(app, pilot)
            app.playback.play = lambda ids, start=0, source="", label="": played.append(
                (ids, source)
            )
            await _prompt(app, pilot, "jazz, no techno")
            assert played and played[-1][1] == "prompt"
            await _prompt(app, pilot, "jaz")
            messages = [str(n.message) for n in app._notifications]
            assert any("did you mean 'jazz'" in m for m in messages), messages
            assert len(played) == 1 and app.is_running

    asyncio.run(run())
    ids = played[0][0]
    genres = {
        r[0]
        for r in env.db.execute(f"SELECT genres FROM items WHERE id IN ({','.join(map(str, ids))})")
    }
    assert genres == {
        '["jazz"]'
    }  # only jazz: the sole source, the rest of the library not asked for
    assert last_prompt(env.db, 1) == "jazz, no techno"
