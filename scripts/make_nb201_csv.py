#!/usr/bin/env python3
"""Write tfnas's NAS-Bench-201 table (the CSV that `tfnas search --evaluator nb201 --table` and
`tfnas bench nb201 --table` read) from the official benchmark files.

Two sources are supported:
  * NATS-Bench, topology search space (`pip install nats_bench`; file e.g.
    NATS-tss-v1_0-3ffb9-simple/), which contains NAS-Bench-201 with the same 15,625 cells, the same
    index order and the same training runs:
        python scripts/make_nb201_csv.py --api nats --benchmark $TORCH_HOME/NATS-tss-v1_0-3ffb9-simple --out nb201.csv
  * the original NAS-Bench-201 API (`pip install nas-bench-201`; file NAS-Bench-201-v1_1-096897.pth;
    v1_0 lacks the 12-epoch results):
        python scripts/make_nb201_csv.py --api nb201 --benchmark $TORCH_HOME/NAS-Bench-201-v1_1-096897.pth --out nb201.csv

Columns (see ../shared/data/nb201/README.md), accuracies in %, averaged over the available seeds
(is_random=False):
  index, arch,
  cifar10_valid_12ep, cifar10_test_12ep: dataset 'cifar10-valid', hp='12' (trained on the CIFAR-10
      train split): 'valid-accuracy' (x-valid) and 'test-accuracy' (ori-test). This validation
      accuracy is the search signal of the benchmark paper's REA/random/REINFORCE/BOHB runs
      (AutoDL-Projects exps/algos/R_EA.py: get_more_info(index, 'cifar10-valid', None, True)).
  cifar100_valid_12ep, cifar100_test_12ep, imagenet16_valid_12ep, imagenet16_test_12ep: datasets
      'cifar100' and 'ImageNet16-120', hp='12': 'valid-accuracy' (x-valid) and 'test-accuracy' (x-test).
  cifar10_test_200ep, cifar100_test_200ep, imagenet16_test_200ep: datasets 'cifar10' (trained on
      train+valid, ori-test), 'cifar100', 'ImageNet16-120' (x-test), hp='200': 'test-accuracy'.
With --with-times, one more column: cifar10_time_12ep, the simulated cost of one query in seconds
as the benchmark's searchers charge it (train-all-time + valid-per-time of 'cifar10-valid', hp='12').

The file is written to a temporary name and renamed when complete, so an interrupted run never
leaves a truncated table.
"""
import argparse
import csv
import os
import sys

DATASETS = [
    # (tfnas prefix, benchmark name for the 12-epoch columns, benchmark name for the 200-epoch column)
    ("cifar10", "cifar10-valid", "cifar10"),
    ("cifar100", "cifar100", "cifar100"),
    ("imagenet16", "ImageNet16-120", "ImageNet16-120"),
]
EXPECTED_ROWS = 15625


class NatsSource:
    """NATS-Bench topology space: get_more_info(index, dataset, iepoch, hp, is_random)."""

    def __init__(self, path):
        from nats_bench import create  # pylint: disable=import-outside-toplevel

        self.api = create(path, "tss", fast_mode=True, verbose=False)

    def __len__(self):
        return len(self.api)

    def arch(self, index):
        return self.api.arch(index)

    def info(self, index, dataset, hp):
        return self.api.get_more_info(index, dataset, iepoch=None, hp=str(hp), is_random=False)

    def release(self, index):
        # fast_mode loads each architecture's record lazily; drop it again to bound memory.
        self.api.arch2infos_dict.pop(index, None)


class Nb201Source:
    """Original NAS-Bench-201 API. Its get_more_info takes `hp='12'|'200'` since 2020-07 and
    `use_12epochs_result=True|False` before; both forms are handled."""

    def __init__(self, path):
        import inspect  # pylint: disable=import-outside-toplevel
        from nas_201_api import NASBench201API  # pylint: disable=import-outside-toplevel

        self.api = NASBench201API(path, verbose=False)
        self.has_hp = "hp" in inspect.signature(self.api.get_more_info).parameters

    def __len__(self):
        return len(self.api.meta_archs)

    def arch(self, index):
        return self.api.meta_archs[index]

    def info(self, index, dataset, hp):
        if self.has_hp:
            return self.api.get_more_info(index, dataset, iepoch=None, hp=str(hp), is_random=False)
        return self.api.get_more_info(index, dataset, iepoch=None, use_12epochs_result=(hp == 12), is_random=False)

    def release(self, index):
        del index


def row_for(src, index, with_times):
    row = {"index": index, "arch": src.arch(index)}
    for prefix, name12, name200 in DATASETS:
        short = src.info(index, name12, 12)
        row[f"{prefix}_valid_12ep"] = short["valid-accuracy"]
        row[f"{prefix}_test_12ep"] = short["test-accuracy"]
        if with_times and prefix == "cifar10":
            row["cifar10_time_12ep"] = short["train-all-time"] + short["valid-per-time"]
        row[f"{prefix}_test_200ep"] = src.info(index, name200, 200)["test-accuracy"]
    src.release(index)
    return row


def columns(with_times):
    cols = ["index", "arch"]
    cols += [f"{p}_{k}" for p, _, _ in DATASETS for k in ("valid_12ep", "test_12ep")]
    cols += [f"{p}_test_200ep" for p, _, _ in DATASETS]
    if with_times:
        cols.append("cifar10_time_12ep")
    return cols


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--api", choices=["nats", "nb201"], default="nats", help="which benchmark API/file (default nats)")
    ap.add_argument("--benchmark", default=None, help="benchmark file or folder (default: the API's own default under $TORCH_HOME)")
    ap.add_argument("--out", required=True, help="CSV file to write")
    ap.add_argument("--with-times", action="store_true", help="also write cifar10_time_12ep (simulated seconds per query)")
    ap.add_argument("--limit", type=int, default=None, help="only the first N architectures (for a quick check)")
    args = ap.parse_args(argv)

    src = NatsSource(args.benchmark) if args.api == "nats" else Nb201Source(args.benchmark)
    total = len(src) if args.limit is None else min(args.limit, len(src))
    if args.limit is None and total != EXPECTED_ROWS:
        sys.exit(f"error: {args.benchmark} holds {total} architectures, expected {EXPECTED_ROWS}")
    cols = columns(args.with_times)
    tmp = f"{args.out}.tmp-{os.getpid()}"
    seen = set()
    try:
        with open(tmp, "w", newline="") as f:
            w = csv.writer(f)
            w.writerow(cols)
            for index in range(total):
                row = row_for(src, index, args.with_times)
                if row["arch"] in seen:
                    raise ValueError(f"architecture {row['arch']} appears twice (index {index})")
                seen.add(row["arch"])
                # 4 decimals, as the shipped table.
                w.writerow([row[c] if c in ("index", "arch") else f"{float(row[c]):.4f}" for c in cols])
                if (index + 1) % 1000 == 0:
                    print(f"{index + 1}/{total}", file=sys.stderr)
        os.replace(tmp, args.out)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise
    print(f"wrote {total} rows to {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
