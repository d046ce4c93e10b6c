#!/usr/bin/env python3
"""Benchmark of autopay: N telecom bills charged through Odoo's demo payment provider.

    python3 bench/autopay.py 10000                   # fresh database autopay_bench
    python3 bench/autopay.py 1000 --db h17b_autopay  # another database name
    python3 bench/autopay.py 10000 --db h17d_autopay --generate-only   # data, no charge
    python3 bench/autopay.py 10000 --db h17d_autopay --reuse --profile # one batch, rolled back
    python3 bench/autopay.py 10000 --db h17d_autopay --reuse           # charge the bills

It creates the database with telecom_billing and payment_demo installed (no demo data), then
generates N customers, each with a saved demo card as autopay payment method (charges
succeed), a billing account and one posted bill of 42.10 due today, in batched creates. It then
runs the autopay job as Odoo's cron runner does (one call per batch, a commit after each call,
calls again while work remains): each bill gets a standard ``payment.transaction`` sent to the
provider, post-processed the standard way (``account.payment`` posted and matched with the
bill). Prints the charges per second, the SQL queries per charge and the process's peak
memory, then checks with SQL that every bill has exactly one confirmed autopay transaction and
one payment and is paid.

``--profile`` runs one prepare call and one send call under cProfile, prints the top of the
profile and the queries per bill of each call, and rolls them back.
"""

import argparse
import os
import resource
import time

from benchlib import (
    ROOT,
    addons_path,
    create_database,
    db_args,
    load,
    machine,
    profile_per_bill,
)

AMOUNT = 42.10


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("n", type=int, nargs="?", default=10_000, help="bills to charge")
    parser.add_argument("--db", default="autopay_bench", help="database name")
    parser.add_argument("--batch-size", type=int, default=200, help="bills per job call")
    parser.add_argument(
        "--reuse", action="store_true", help="the database and its bills as they are"
    )
    parser.add_argument("--generate-only", action="store_true", help="stop before charging")
    parser.add_argument("--profile", action="store_true", help="profile one batch, rolled back")
    parser.add_argument(
        "--time-limit", type=float, help="stop calling the job after this many seconds"
    )
    parser.add_argument("--config", default=os.path.join(ROOT, "odoo.conf"))
    parser.add_argument("--addons-path", default=None, help="default: Odoo's addons + addons/")
    return parser.parse_args()


def generate(env, n, chunk=1000):
    """N customers with an autopay demo card, a billing account and a posted bill each."""
    from odoo import Command, fields

    provider = env.ref("payment.payment_provider_demo")
    provider.state = "test"
    method = env.ref("payment_demo.payment_method_demo")
    env.company.write({"telecom_autopay_timing": "posting"})
    product = env["product.product"].create(
        {"name": "Bench Mobile Plan", "type": "service", "list_price": AMOUNT, "taxes_id": []}
    )
    immediate = env.ref("account.account_payment_term_immediate")
    today = fields.Date.context_today(env.user)
    started = time.perf_counter()
    for offset in range(0, n, chunk):
        size = min(chunk, n - offset)
        partners = env["res.partner"].create(
            [{"name": f"Autopay Bench {offset + i}", "is_company": True} for i in range(size)]
        )
        tokens = env["payment.token"].create(
            [
                {
                    "provider_id": provider.id,
                    "payment_method_id": method.id,
                    "partner_id": partner.id,
                    "provider_ref": f"bench-{partner.id}",
                    "payment_details": f"{partner.id % 10000:04d}",
                    "demo_simulated_state": "done",
                }
                for partner in partners
            ]
        )
        for partner, token in zip(partners, tokens, strict=True):
            partner.telecom_autopay_token_id = token
        accounts = env["telecom.subscription"].create(
            [{"partner_id": partner.id, "bill_cycle_day": 1} for partner in partners]
        )
        moves = env["account.move"].create(
            [
                {
                    "move_type": "out_invoice",
                    "partner_id": account.partner_id.id,
                    "invoice_date": today,
                    "invoice_payment_term_id": immediate.id,
                    "telecom_subscription_id": account.id,
                    "telecom_period_start": today,
                    "invoice_line_ids": [
                        Command.create(
                            {"product_id": product.id, "price_unit": AMOUNT, "tax_ids": []}
                        )
                    ],
                }
                for account in accounts
            ]
        )
        moves.action_post()
        env.cr.commit()
        print(f"  {offset + size:,} bills", flush=True)
    print(f"Generated {n:,} customers, cards and posted bills in "
          f"{time.perf_counter() - started:.0f} s", flush=True)  # fmt: skip


def charged_count(cr):
    cr.execute("SELECT count(*) FROM account_move WHERE telecom_autopay_state = 'paid'")
    return cr.fetchone()[0]


def check(cr, n, stopped=False):
    """Every bill paid by exactly one confirmed transaction and one payment (``stopped``: the
    run was stopped by ``--time-limit``, only the bills charged so far are checked)."""
    cr.execute(
        """
        SELECT count(*),
               count(*) FILTER (WHERE m.payment_state IN ('paid', 'in_payment')),
               count(*) FILTER (WHERE m.telecom_autopay_state = 'paid'),
               (SELECT count(*) FROM payment_transaction t
                 WHERE t.telecom_autopay_move_id IS NOT NULL AND t.state = 'done'),
               (SELECT count(*) FROM payment_transaction t
                 WHERE t.telecom_autopay_move_id IS NOT NULL AND t.payment_id IS NOT NULL),
               (SELECT count(*) FROM (SELECT telecom_autopay_move_id FROM payment_transaction
                 WHERE telecom_autopay_move_id IS NOT NULL
                 GROUP BY 1 HAVING count(*) > 1) twice)
          FROM account_move m
         WHERE m.telecom_subscription_id IS NOT NULL AND m.state = 'posted'
        """
    )
    bills, paid, charged, done, payments, twice = cr.fetchone()
    print(f"Check: {bills:,} bills, {paid:,} paid, {charged:,} charged by autopay, "
          f"{done:,} confirmed transactions, {payments:,} payments, "
          f"{twice} bills charged twice")  # fmt: skip
    if stopped:
        ok = paid == charged == done == payments and not twice
    else:
        ok = bills == paid == charged == done == payments == n and not twice
    print("OK" if ok else "MISMATCH")
    return ok


def peak_rss():
    """The largest resident memory of this process so far, in MiB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def profile(env, batch_size):
    """One prepare call and one send call under cProfile, then rolled back."""
    from odoo import fields

    Autopay = env["telecom.autopay"]
    today = fields.Date.context_today(Autopay)
    cr = env.cr
    for label, call in (
        ("prepare", lambda: len(Autopay._telecom_prepare_charges(today, batch_size))),
        ("send", lambda: len(Autopay._telecom_send_charges(batch_size))),
    ):
        profile_per_bill(env, label, call, 45)
    cr.rollback()


def main():
    args = parse_args()
    paths = addons_path(args.addons_path)
    if not args.reuse:
        create_database(args.db, args.config, paths, "telecom_billing,payment_demo")

    import odoo
    from odoo.tools import config

    config.parse_config(
        ["-c", args.config, f"--addons-path={paths}", *db_args(), "-d", args.db, "--log-level=warn"]
    )
    registry = odoo.modules.registry.Registry(args.db)
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        if not args.reuse:
            generate(env, args.n)
        if args.generate_only:
            return
        if args.profile:
            profile(env, args.batch_size)
            return
        print(f"Machine: {machine(cr)}")
        print(f"Load average before: {load()}", flush=True)
        Autopay = env["telecom.autopay"]
        calls, started, queries = 0, time.perf_counter(), cr.sql_log_count
        before, stopped = charged_count(cr), False
        while Autopay._cron_telecom_autopay(batch_size=args.batch_size):
            cr.commit()  # what the cron runner does after each call
            env.invalidate_all()
            calls += 1
            if calls % 10 == 0:
                print(f"  {calls} calls, {charged_count(cr) - before:,} charged, "
                      f"{time.perf_counter() - started:.0f} s, load {load()}",
                      flush=True)  # fmt: skip
            if args.time_limit and time.perf_counter() - started > args.time_limit:
                stopped = True
                break
        cr.commit()
        elapsed = time.perf_counter() - started
        count = charged_count(cr) - before
        print(f"Autopay{' (stopped by --time-limit)' if stopped else ''}: {count:,} charges in "
              f"{elapsed:.1f} s ({count / elapsed:,.2f} charges/s, "
              f"{elapsed / max(count, 1) * 1000:.0f} ms each, "
              f"{(cr.sql_log_count - queries) / max(count, 1):.1f} queries each), "
              f"{calls} job calls of up to {args.batch_size} bills, "
              f"peak RSS {peak_rss():.0f} MiB")  # fmt: skip
        print(f"Load average after: {load()}")
        raise SystemExit(0 if check(cr, args.n, stopped) else 1)


if __name__ == "__main__":
    main()
