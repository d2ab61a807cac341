#!/usr/bin/python3
"""Build one-device, one-replica account/container/object rings for a
loopback Swift (one Python process: swift-ring-builder takes ~4 s for the
three). Usage: make-rings.py <dir> <devices> <account> <container> <object>
with each server's port."""
import os
import sys

from swift.common.ring import RingBuilder


def main():
    swift_dir = sys.argv[1]
    ports = dict(zip(('account', 'container', 'object'), map(int, sys.argv[3:6])))
    for kind, port in ports.items():
        builder = RingBuilder(8, 1, 1)
        builder.add_dev({'id': 0, 'region': 1, 'zone': 1, 'ip': '127.0.0.1',
                         'port': port, 'device': 'd0', 'weight': 100})
        builder.rebalance()
        builder.get_ring().save(os.path.join(swift_dir, f'{kind}.ring.gz'))


if __name__ == '__main__':
    main()
