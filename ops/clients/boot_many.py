#!/usr/bin/python3
"""Boots N servers with openstacksdk, waits for them, deletes them, and prints what it saw.

Uses the cloud from clouds.yaml (OS_CLOUD / OS_CLIENT_CONFIG_FILE), like any SDK user would.
Usage: boot_many.py [count] [flavor] [image]
"""
import json
import sys
import time

import openstack


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    flavor_name = sys.argv[2] if len(sys.argv) > 2 else "m1.tiny"
    image_name = sys.argv[3] if len(sys.argv) > 3 else "cirros-0.6.2-x86_64-disk"
    conn = openstack.connect()
    flavor = conn.compute.find_flavor(flavor_name, ignore_missing=False)
    image = conn.image.find_image(image_name, ignore_missing=False)
    prefix = f"sdk-{int(time.time())}"
    started = time.monotonic()
    servers = [
        conn.compute.create_server(name=f"{prefix}-{i}", flavor_id=flavor.id, image_id=image.id, networks="none")
        for i in range(count)
    ]
    print(f"created {len(servers)} servers", file=sys.stderr)
    ready = [conn.compute.wait_for_server(s, status="ACTIVE", wait=300, interval=1) for s in servers]
    active_after = time.monotonic() - started
    listed = [s for s in conn.compute.servers(name=f"^{prefix}-") if s.name.startswith(prefix)]
    for s in ready:
        conn.compute.delete_server(s)
    for s in ready:
        conn.compute.wait_for_delete(s, wait=300, interval=1)
    left = [s for s in conn.compute.servers(name=f"^{prefix}-") if s.name.startswith(prefix)]
    print(json.dumps({
        "created": len(servers),
        "active": sum(1 for s in ready if s.status == "ACTIVE"),
        "hosts": sorted({s.compute_host for s in ready if s.compute_host}),
        "listed": len(listed),
        "left_after_delete": len(left),
        "seconds_to_active": round(active_after, 2),
    }))


if __name__ == "__main__":
    main()
