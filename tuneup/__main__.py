from tuneup.cli.entry import run

run()
