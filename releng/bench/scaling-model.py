#!/usr/bin/env python3
"""The scaling model of docs/scaling.md: predicted scaling efficiency of one coordinator.

    python3 releng/bench/scaling-model.py [--train SECONDS] [--coordinator-mbit M] [--file-store]

Inputs are the per-task costs MultiHostTest measured (docs/measurements.md, "Multi-host"), the
aggregation and task-exchange costs of the earlier benchmarks, and the compression ratios of
docs/strategies.md. Everything is scaled to a model of 10M float32 parameters. Prints one table.
"""
import argparse

P = 10_000_000                 # parameters (--params)

# MultiHostTest (1,013,003 parameters, providers behind tbf 20 Mbit/s and +50 ms round trip)
GOODPUT_DOWN = 18.6 / 20       # HTTPS download on an open connection, share of the link's rate
GOODPUT_UP = 17.6 / 20         # HTTPS upload
PROVIDER_IN = 1.02             # a provider's link per task, in updates' worth of bytes
PROVIDER_OUT = 1.03
COORD_OUT_PROVIDERS = 1.02     # the coordinator's link per task: parameters to providers
COORD_IN_PROVIDERS = 1.03      # updates from providers
COORD_OUT_S3 = 1.11            # updates forwarded to S3 (1.44 measured per task with K=3, less a third of a version)
COORD_IN_S3 = 1.76             # updates read back from S3 (their check, the aggregation)
AGG_PER_MPARAM = 0.0363        # s per result per million parameters (daig_aggregation_seconds_total / results: 39.4,
                               # 33.4, 37.6 ms at 1.013M in three runs; reads from S3, checks, decodes, adds, stores the version)
DB_BYTES = 21_910 + 32_626     # PostgreSQL's link per task, both ways (independent of the model's size)
BROKER_BYTES = 3_470 + 2_964   # Mosquitto's link per task, both ways
RTT = 0.050 + 0.001            # the test's added round trip, plus the bridge's
CONTROL_RTTS = 4               # MQTT request -> task, result -> answer: two exchanges of two messages

# releng/bench/load-test.sh (docs/measurements.md, "Scale"): the task exchange's one thread
LEASE_S = 0.0008               # deciding a lease request in a burst
RESULT_S = 0.004               # deciding a result (3-5 ms)

# docs/measurements.md, "Strategies and compression": int8 is 4.0x smaller both ways at no loss in accuracy
INT8_RATIO = 4.0
INT8_DECODE_PER_MPARAM = 0.0036  # s: decode of 1M int8 values, ~15x a 0.24 ms copy (CompressionBench)


def predict(n, train, coord_mbit, provider_mbit, ratio, s3, sync):
    """Seconds per round (sync: K = n, one task each) or per n tasks (async), and the bottleneck."""
    size = (4 * P + 128) / ratio   # one .npy of the parameters: parameters down, an update up
    provider_bps = provider_mbit * 1e6
    coord_bps = coord_mbit * 1e6
    down_one = size * PROVIDER_IN * 8 / (provider_bps * GOODPUT_DOWN)
    up_one = size * PROVIDER_OUT * 8 / (provider_bps * GOODPUT_UP)
    coord_out = COORD_OUT_PROVIDERS + (COORD_OUT_S3 if s3 else 0)
    coord_in = COORD_IN_PROVIDERS + (COORD_IN_S3 if s3 else 0)
    down_coord = n * size * coord_out * 8 / (coord_bps * GOODPUT_DOWN)
    up_coord = n * size * coord_in * 8 / (coord_bps * GOODPUT_UP)
    agg_one = AGG_PER_MPARAM * P / 1e6 + (INT8_DECODE_PER_MPARAM * P / 1e6 if ratio > 1 else 0)
    agg = n * agg_one
    exchange = n * (LEASE_S + RESULT_S)
    database = n * DB_BYTES * 8 / coord_bps          # the database and the broker on links like the coordinator's
    broker = n * BROKER_BYTES * 8 / coord_bps
    control = CONTROL_RTTS * RTT + max(exchange, database, broker)
    if sync:
        # phases one after another: all download, all train, all upload, then the round's aggregation
        t = max(down_one, down_coord) + train + max(up_one, up_coord) + agg + control
        # what the round spends beyond one provider's own task
        costs = {"coordinator uplink": down_coord - down_one, "coordinator downlink": up_coord - up_one,
                 "aggregation CPU": agg - agg_one, "task exchange": exchange, "database link": database, "broker link": broker}
        neck = max(costs, key=costs.get)
        return t, neck if costs[neck] > 0.05 * t else "none: the providers' own tasks"
    # a pipeline: each provider works on its own; each of the coordinator's resources takes n tasks' worth
    own = down_one + train + up_one + agg_one + CONTROL_RTTS * RTT
    costs = {"coordinator uplink": down_coord, "coordinator downlink": up_coord, "aggregation CPU": agg,
             "task exchange": exchange, "database link": database, "broker link": broker}
    neck = max(costs, key=costs.get)
    return max(own, costs[neck]), neck if costs[neck] > own else "none: the providers' own tasks"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--train", type=float, default=60.0, help="seconds of training per task (default 60)")
    parser.add_argument("--coordinator-mbit", type=float, default=100.0,
                        help="the coordinator's link, and those of S3, PostgreSQL and the broker, Mbit/s")
    parser.add_argument("--provider-mbit", type=float, default=100.0, help="each provider's link, Mbit/s")
    parser.add_argument("--file-store", action="store_true", help="blobs on the coordinator's own disk, not on S3 elsewhere")
    parser.add_argument("--params", type=int, default=P, help="the model's parameters (default 10M)")
    parser.add_argument("--round", type=int, help="print only the predicted seconds of one K-batch sync round of this many providers")
    args = parser.parse_args()
    globals()["P"] = args.params
    s3 = not args.file_store
    if args.round:
        t, neck = predict(args.round, args.train, args.coordinator_mbit, args.provider_mbit, 1.0, s3, True)
        print(f"{t:.2f} s per round of {args.round} ({neck})")
        return
    print(f"{P / 1e6:g}M parameters ({4 * P / 1e6:.0f} MB), {args.train:.0f} s training per task, providers on {args.provider_mbit:.0f} Mbit/s, "
          f"coordinator on {args.coordinator_mbit:.0f} Mbit/s, blobs {'on S3 (another host)' if s3 else 'on the coordinator'}")
    print("| providers | strategy | float32: efficiency | bottleneck | int8 both ways: efficiency | bottleneck |")
    print("|---|---|---|---|---|---|")
    for n in (32, 100, 1000):
        for sync in (True, False):
            cells = []
            for ratio in (1.0, INT8_RATIO):
                one, _ = predict(1, args.train, args.coordinator_mbit, args.provider_mbit, ratio, s3, True)
                t, neck = predict(n, args.train, args.coordinator_mbit, args.provider_mbit, ratio, s3, sync)
                # speed-up n * one / t (n tasks in t against one task in `one` for a lone provider), divided by n
                efficiency = min(1.0, one / t)
                cells += [f"{100 * efficiency:.1f} %", neck]
            print(f"| {n:,} | {'K-batch sync, K = N' if sync else 'asynchronous'} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
