"""boto3_bench.py -- remove_permission through boto3, the comparison for
bench/run.sh: same endpoint, credentials, region and parameters as
bench/api_bench.lua, retries off (standard mode, max_attempts=1).
A benchmark: it asserts nothing about speed.

  python3 bench/boto3_bench.py rate URL N [WARMUP]
    -> "boto3 n=<N> rate=<calls/s> p50_us= p99_us= cpu_us= version=<boto3>/<botocore>"
  python3 bench/boto3_bench.py once URL   (one call: the request check)
  python3 bench/boto3_bench.py cold URL   (import, client, one call: cold start)
"""
import sys
import time


def make_client(url):
    import boto3
    from botocore.config import Config

    return boto3.client(
        "lambda",
        region_name="us-east-1",
        endpoint_url=url,
        aws_access_key_id="AKIDEXAMPLE",
        aws_secret_access_key="wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
        config=Config(retries={"mode": "standard", "max_attempts": 1}),
    )


PARAMS = {"FunctionName": "my-function", "StatementId": "xaccount", "Qualifier": "PROD"}


def main():
    if len(sys.argv) < 3:
        sys.stderr.write("usage: boto3_bench.py rate|once|cold URL [N [WARMUP]]\n")
        return 2
    mode, url = sys.argv[1], sys.argv[2]
    client = make_client(url)
    call = client.remove_permission
    if mode in ("once", "cold"):
        meta = call(**PARAMS)["ResponseMetadata"]
        if mode == "once":
            print("boto3 once status=%d" % meta["HTTPStatusCode"])
        return 0
    n = int(sys.argv[3]) if len(sys.argv) > 3 else 2000
    warm = int(sys.argv[4]) if len(sys.argv) > 4 else 100
    for _ in range(warm):
        call(**PARAMS)
    lat = [0.0] * n
    now = time.perf_counter
    c0, t0 = time.process_time(), now()
    for i in range(n):
        s = now()
        call(**PARAMS)
        lat[i] = now() - s
    wall, cpu = now() - t0, time.process_time() - c0
    lat.sort()
    import boto3
    import botocore

    print("boto3 n=%d rate=%.0f p50_us=%.1f p99_us=%.1f cpu_us=%.2f version=%s/%s" % (
        n, n / wall, lat[n // 2] * 1e6, lat[n * 99 // 100] * 1e6, cpu / n * 1e6,
        boto3.__version__, botocore.__version__))
    return 0


if __name__ == "__main__":
    sys.exit(main())
