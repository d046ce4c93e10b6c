"""A small external tax engine speaking the REST protocol of adapters/rest.py.

Started by the tests on 127.0.0.1 (port 0) in a thread. It charges federal USF at 10 % of
every line and a 911 fee of 0.50 per voice line, answers 503 while ``down`` is set and 400
for a line without state, and waits ``delay`` seconds before answering (an engine that hangs).

It keeps the transactions of the contract: a quote opens one (``quoted``), then commit,
void and credit move it on; ``log`` records every transaction call in order, and
``GET /v1/transactions`` lists the committed ones of a period of document dates.
"""

import time
from decimal import Decimal
from urllib.parse import parse_qs, urlparse

from odoo.addons.telecom_numbers.tests.loopback import JsonHandler, LoopbackServer


class TaxSimulator(LoopbackServer):
    def __init__(self):
        self.down = False
        self.delay = 0
        self.requests = []
        self.transactions = {}
        self.log = []
        simulator = self

        class Handler(JsonHandler):
            def do_GET(self):
                if simulator.down:
                    return self._answer(503, {"error": "maintenance"})
                if self.path.startswith("/v1/transactions"):
                    query = parse_qs(urlparse(self.path).query)
                    rows = [
                        {"id": key, "document": t["document"], "tax": str(t["tax"])}
                        for key, t in simulator.transactions.items()
                        if t["state"] == query["status"][0]
                        and query["from"][0] <= t["date"] <= query["to"][0]
                    ]
                    return self._answer(200, {"transactions": rows})
                return self._answer(200, {"status": "ok"})

            def do_POST(self):
                payload = self._read_json()
                simulator.requests.append(
                    {"payload": payload, "auth": self.headers.get("Authorization")}
                )
                if simulator.delay:
                    time.sleep(simulator.delay)
                if simulator.down:
                    return self._answer(503, {"error": "maintenance"})
                if self.path.startswith("/v1/transactions/"):
                    return self._transaction(payload)
                if self.path != "/v1/tax/calculate":
                    return self._answer(404, {"error": "unknown path"})
                taxes = []
                for line in payload["lines"]:
                    if not line["address"]["state"]:
                        return self._answer(400, {"error": f"line {line['ref']}: no state"})
                    amount = Decimal(line["amount"])
                    usf = (amount * Decimal("0.10")).quantize(Decimal("0.01"))
                    if usf:
                        taxes.append(
                            {
                                "kind": "federal_usf",
                                "name": "Federal USF",
                                "amount": str(usf),
                                "jurisdiction": "US",
                                "ref": line["ref"],
                                "code": "FUSF",
                            }
                        )
                    if line["lines"]:
                        taxes.append(
                            {
                                "kind": "e911",
                                "name": "911 Service Fee",
                                "amount": str(Decimal("0.50") * line["lines"]),
                                "jurisdiction": line["address"]["state"],
                                "ref": line["ref"],
                                "code": "E911",
                            }
                        )
                transaction_id = f"TX{len(simulator.transactions) + 1}"
                simulator.transactions[transaction_id] = {
                    "state": "quoted",
                    "tax": sum(Decimal(tax["amount"]) for tax in taxes),
                    "document": "",
                    "date": "",
                }
                return self._answer(200, {"transaction_id": transaction_id, "taxes": taxes})

            def _transaction(self, payload):
                __, __, __, transaction_id, action = self.path.split("/")
                transaction = simulator.transactions.get(transaction_id)
                allowed = {"commit": ("quoted",), "void": ("quoted", "committed")}
                allowed["credit"] = ("committed",)
                if not transaction or transaction["state"] not in allowed.get(action, ()):
                    return self._answer(409, {"error": f"cannot {action} {transaction_id}"})
                simulator.log.append((action, transaction_id, payload.get("document", "")))
                transaction["state"] = {"commit": "committed", "void": "voided"}.get(
                    action, "credited"
                )
                if action == "commit":
                    transaction.update(document=payload["document"], date=payload["date"])
                return self._answer(200, {"id": transaction_id, "state": transaction["state"]})

        super().__init__(Handler)
