# The two commands of README.md. Everything they do is in tools/suite.sh.
#   make run    create or update the demo database "telecom" and serve Odoo on 127.0.0.1:8069
#   make test   run every test of the suite on a fresh throw-away database
# Variables: DB, TEST_DB, HTTP_PORT, PYTHON, PGHOST/PGPORT/PGUSER; PYTEST_ARGS for pytest (make test).

.PHONY: run test lint

run:
	@tools/suite.sh run

test:
	@tools/suite.sh test $(PYTEST_ARGS)

lint:
	ruff format --check .
	ruff check .
