#!/usr/bin/env python3
"""Bill delivery benchmark: N bills of a bill run rendered and delivered by its delivery step.

    python3 bench/bill_delivery.py 200 --template h17a --port 8171
    python3 bench/bill_delivery.py 10000 --template h17d --db h17d_delivery --bill-only
    python3 bench/bill_delivery.py 10000 --db h17d_delivery --reuse --pdf-sample 200

What it does:
1. copies ``--template`` (a database with the suite and its demo data, e.g. the one ``make
   run`` builds) into a fresh ``bench_delivery_<N>`` (``--db``) and updates telecom_billing
   there;
2. generates N customers with 1-3 services each (``bench/bill_run.py``'s generator) and bills
   them with the bill run (posted, not sent); ``--bill-only`` stops here, ``--reuse`` starts
   after this step with the last bill run of the database;
3. starts Odoo on ``--port`` so that wkhtmltopdf loads the report's styles as in production,
   then measures, in-process and committed chunk by chunk as the delivery job does:
   - PDF rendering of a sample of bills, one bill per wkhtmltopdf call (what Odoo's sending
     does with a wkhtmltopdf built on unpatched Qt, as Linux distributions ship it) and, when
     the wkhtmltopdf supports it, ``--batch`` bills per call (Odoo's default is 80);
   - HTML rendering of the same bills (the portal's on-demand view);
   - the delivery step of the first ``--pdf-sample`` bills emailed with their PDF (mails
     queued);
   - the delivery step of all N bills emailed without the PDF, linking to the portal;
4. prints the figures (per bill, SQL queries per bill, the process's peak memory), the
   projection for 100,000 bills on two cores and the machine.
"""

import argparse
import os
import resource
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import benchlib
import bill_run


def log(message):
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("n", type=int, nargs="?", default=200, help="bills")
    parser.add_argument("--template", help="database with the suite and demo data")
    parser.add_argument("--db", help="database (default bench_delivery_<N>)")
    parser.add_argument("--port", type=int, default=8069, help="HTTP port of the Odoo started")
    parser.add_argument("--sample", type=int, default=20, help="bills rendered one by one")
    parser.add_argument("--batch", type=int, default=20, help="bills per wkhtmltopdf call")
    parser.add_argument(
        "--reuse", action="store_true", help="deliver the last bill run of the existing db again"
    )
    parser.add_argument("--bill-only", action="store_true", help="stop after the bill run")
    parser.add_argument(
        "--profile", action="store_true", help="profile one delivery chunk, rolled back"
    )
    parser.add_argument(
        "--pdf-sample", type=int, default=200, help="bills delivered with the PDF attached"
    )
    parser.add_argument("--chunk", type=int, default=100, help="bills per delivery chunk")
    args = parser.parse_args()
    if not args.reuse and not args.template:
        parser.error("--template is required unless --reuse")
    return args


def odoo_args(db):
    return [
        "-c",
        os.path.join(benchlib.ROOT, "odoo.conf"),
        f"--addons-path={benchlib.addons_path()}",
        *benchlib.db_args(),
        "-d",
        db,
    ]


def prepare_database(args, db):
    with bill_run.pg() as cr:
        cr.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
        cr.execute(f'CREATE DATABASE "{db}" TEMPLATE "{args.template}"')
    source = os.path.join(bill_run.data_dir(), "filestore", args.template)
    target = os.path.join(bill_run.data_dir(), "filestore", db)
    subprocess.run(["rm", "-rf", target], check=True)
    if os.path.isdir(source):
        subprocess.run(["cp", "-r", source, target], check=True)
    log(f"Updating telecom_billing in {db}...")
    subprocess.run(
        [sys.executable, "-m", "odoo", *odoo_args(db), "-u", "telecom_billing"]
        + ["--stop-after-init", "--no-http", "--log-level=warn"],
        check=True,
    )


def bill(env, n):
    bill_run.generate(env, n, seed=7)
    run_id = bill_run.start_bill_run(env)
    env.company.telecom_bill_auto_send = False
    run = env["telecom.bill.run"].browse(run_id)
    started = time.perf_counter()
    while run.state == "running":
        run._telecom_process_chunk(500)
        env.cr.commit()
    log(f"Bill run: {run.invoice_count:,} bills in {time.perf_counter() - started:.0f} s")
    return run


def last_run(env):
    return env["telecom.bill.run"].search([("state", "=", "done")], order="id desc", limit=1)


def peak_rss():
    """The largest resident memory of this process so far, in MiB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(label, function, count, cr=None):
    started = time.perf_counter()
    queries = cr.sql_log_count if cr else 0
    function()
    elapsed = time.perf_counter() - started
    per_bill = elapsed / count if count else 0.0
    per_query = f", {(cr.sql_log_count - queries) / count:.1f} queries per bill" if cr else ""
    log(f"{label}: {count:,} bills in {elapsed:.1f} s, {per_bill * 1000:.0f} ms per bill"
        f"{per_query}, peak RSS {peak_rss():.0f} MiB")  # fmt: skip
    return per_bill


def render_pdf_one_by_one(env, moves):
    report = env["ir.actions.report"]
    for move in moves:
        report._render_qweb_pdf("account.account_invoices", move.ids)


def render_pdf_batch(env, moves):
    env["ir.actions.report"]._render_qweb_pdf("account.account_invoices", moves.ids)


def render_html(env, moves):
    report = env["ir.actions.report"]
    for move in moves:
        report._render_qweb_html("account.report_invoice", move.ids)


def queue(env, run, attach_pdf, limit=None):
    """The run's bills queued for delivery again (the first ``limit`` only when given)."""
    env.company.telecom_bill_attach_pdf = attach_pdf
    env["mail.mail"].search(
        [("model", "=", "account.move"), ("res_id", "in", run.move_ids.ids)]
    ).unlink()
    env.cr.execute(
        """UPDATE account_move SET telecom_send_state = NULL, telecom_send_error = NULL
            WHERE telecom_bill_run_id = %s""",
        [run.id],
    )
    env.cr.execute(
        """DELETE FROM ir_attachment WHERE res_model = 'account.move'
            AND res_field = 'invoice_pdf_report_file' AND res_id = ANY(%s)""",
        [run.move_ids.ids],
    )
    env.invalidate_all()
    run._telecom_start_delivery()
    if limit is not None:  # the other bills stay out of this delivery
        env.cr.execute(
            """UPDATE account_move SET telecom_send_state = 'sent'
                WHERE telecom_bill_run_id = %s AND telecom_send_state = 'to_send'
                  AND id NOT IN (SELECT id FROM account_move WHERE telecom_bill_run_id = %s
                                  AND telecom_send_state = 'to_send' ORDER BY id LIMIT %s)""",
            [run.id, run.id, limit],
        )
        env.invalidate_all()


def deliver(env, run, attach_pdf, chunk, limit=None):
    """The delivery step of the run's bills (the first ``limit`` only when given)."""
    queue(env, run, attach_pdf, limit)
    env.cr.commit()
    while run.delivery_state == "sending":
        run._telecom_deliver_chunk(chunk)
        if not run._telecom_count_to_send():
            run._telecom_finish_delivery()
        env.cr.commit()  # what the cron runner does after each call
    return run.sent_count


def profile(env, run, chunk):
    """One delivery chunk of email bills linking to the portal under cProfile, rolled back."""
    cr = env.cr
    queue(env, run, False, limit=chunk)
    profiler = benchlib.profile_per_bill(
        env, "delivery", lambda: run._telecom_deliver_chunk(chunk), 60
    )
    path = os.path.join(benchlib.ROOT, ".local", "bench_delivery.prof")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    profiler.dump_stats(path)
    print(f"Profile saved as {path} (python3 -m pstats {path})")
    cr.rollback()


def main():
    args = parse_args()
    db = args.db or f"bench_delivery_{args.n}"
    if not args.reuse:
        prepare_database(args, db)

    import odoo
    from odoo.tools import config

    config.parse_config(odoo_args(db))
    registry = odoo.modules.registry.Registry(db)
    if args.bill_only or args.profile:
        with registry.cursor() as cr:
            env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
            if args.bill_only:
                bill(env, args.n)
            else:
                profile(env, last_run(env), args.chunk)
        return
    server = subprocess.Popen(
        [sys.executable, "-m", "odoo", *odoo_args(db), f"--http-port={args.port}"]
        + ["--workers=0", "--max-cron-threads=0", "--log-level=warn"],
    )
    try:
        time.sleep(10)
        with registry.cursor() as cr:
            env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
            env["ir.config_parameter"].set_param("report.url", f"http://127.0.0.1:{args.port}")
            # a wkhtmltopdf on unpatched Qt renders one document per call
            env["ir.config_parameter"].set_param("account.pdf_generation_batch", "0")
            run = last_run(env) if args.reuse else bill(env, args.n)
            cr.commit()
            log(f"Load average: {benchlib.load()}")
            moves = run.move_ids[: args.sample]
            pdf_one = timed(
                "PDF, one bill per call", lambda: render_pdf_one_by_one(env, moves), len(moves)
            )
            try:
                pdf_batch = timed(
                    f"PDF, {args.batch} bills per call",
                    lambda: render_pdf_batch(env, moves[: args.batch]),
                    len(moves[: args.batch]),
                )
            except Exception as error:  # noqa: BLE001 - reported, the run goes on
                log(f"PDF, {args.batch} bills per call: not supported here ({error})")
                pdf_batch = None
            html = timed("HTML (portal view)", lambda: render_html(env, moves), len(moves))
            count = len(run.move_ids)
            with_pdf = None
            if args.pdf_sample:
                sample = min(args.pdf_sample, count)
                with_pdf = timed(
                    "Delivery, email with the PDF",
                    lambda: deliver(env, run, True, args.chunk, limit=sample),
                    sample,
                    cr,
                )
                log(f"Load average: {benchlib.load()}")
            without_pdf = timed(
                "Delivery, email linking to the portal",
                lambda: deliver(env, run, False, args.chunk),
                count,
                cr,
            )
            print()
            print(f"Machine: {benchlib.machine(cr)}")
            print(f"Load average: {benchlib.load()}")
            hours = lambda per_bill: per_bill * 100_000 / 2 / 3600  # noqa: E731
            if with_pdf:
                print(f"100,000 bills on two cores, email with PDF: {hours(with_pdf):.1f} h")
            print(f"100,000 bills on two cores, email with portal link: {hours(without_pdf):.1f} h")
            print(f"PDF one by one {pdf_one * 1000:.0f} ms/bill; HTML {html * 1000:.0f} ms/bill")
            if pdf_batch:
                print(f"PDF in batches of {args.batch}: {pdf_batch * 1000:.0f} ms/bill")
            print(f"Peak RSS of the measuring process: {peak_rss():.0f} MiB")
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()
