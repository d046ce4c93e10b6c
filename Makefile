# The two commands of README.md. Everything they do is in tools/suite.sh.
#   make run    create or update the demo database "telecom" and serve Odoo on 127.0.0.1:8069
#   make test   run every test of the suite on a fresh throw-away database
#   make test-bootstrap   slow acceptance test of the first-run set-up of Odoo (needs ODOO_SOURCE)
# Variables: DB, TEST_DB, HTTP_PORT, PYTHON, ODOO_SOURCE, PGHOST/PGPORT/PGUSER; PYTEST_ARGS for
# pytest (make test). Without an importable Odoo 18.0, or with ODOO_SOURCE, both commands use the
# project-local Odoo environment of tools/bootstrap_odoo.py (.local/odoo-18.0).

.PHONY: run test test-bootstrap lint

run:
	@tools/suite.sh run

test:
	@tools/suite.sh test $(PYTEST_ARGS)

test-bootstrap:
	@tools/test_bootstrap.sh

lint:
	ruff format --check .
	ruff check .
