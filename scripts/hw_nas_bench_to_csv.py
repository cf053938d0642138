#!/usr/bin/env python3
"""Convert HW-NAS-Bench's published NAS-Bench-201 latencies (Li et al., ICLR 2021; repository
GATECH-EIC/HW-NAS-Bench, MIT licence, file HW-NAS-Bench-v1_0.pickle) into the CSV that tfnas reads
(`tfnas bench latency --space nb201 --hw-nas-bench FILE` for the rank correlation with each device,
`tfnas search --latency-table FILE --latency-device DEVICE --max-latency MS` for a search
constrained on one device's latency).

    python3 scripts/hw_nas_bench_to_csv.py --pickle HW-NAS-Bench-v1_0.pickle --dataset cifar10 \
        --out assets/hw-nas-bench-nb201-cifar10.csv

The pickle is a dict: ['nasbench201'][dataset][metric][index] for the 15,625 cells in NAS-Bench-201's
index order, and ['nasbench201'][dataset]['config'][index]['arch_str'] the cell string (the
repository's hw_nas_bench_api.py reads it so). Only the standard library is needed (pickle holds
plain floats; numpy scalars, where present, need numpy installed to unpickle).

Columns: index, arch (the NAS-Bench-201 cell string, as tfnas writes it), then one column per
device, latency in ms: edgegpu, raspi4, edgetpu, pixel3, eyeriss, fpga. The file is written to a
temporary name and renamed when complete.
"""
import argparse
import csv
import os
import pickle

DEVICES = ["edgegpu", "raspi4", "edgetpu", "pixel3", "eyeriss", "fpga"]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pickle", required=True, help="HW-NAS-Bench-v1_0.pickle")
    ap.add_argument("--dataset", default="cifar10", choices=["cifar10", "cifar100", "ImageNet16-120"])
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    with open(a.pickle, "rb") as f:
        data = pickle.load(f)["nasbench201"][a.dataset]
    n = len(data["config"])
    if n != 15625:
        raise SystemExit(f"{a.pickle}: {n} cells for {a.dataset}, expected 15625")
    tmp = f"{a.out}.tmp-{os.getpid()}"
    with open(tmp, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["index", "arch"] + DEVICES)
        for i in range(n):
            w.writerow([i, data["config"][i]["arch_str"]] + [repr(float(data[f"{d}_latency"][i])) for d in DEVICES])
    os.replace(tmp, a.out)
    print(f"wrote {a.out}: {n} cells, devices {', '.join(DEVICES)} (ms)")


if __name__ == "__main__":
    main()
