from tuneup.cli.main import run

run()
