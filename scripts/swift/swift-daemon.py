#!/usr/bin/python3
"""Run one Swift daemon (account, container, object or proxy) from its
config file, reading swift.conf from that file's directory: Swift 2.30
reads /etc/swift/swift.conf from a fixed path otherwise, and this store is
for tests, not for the machine. Usage: swift-daemon.py <dir> <server>."""
import os
import sys

from swift.common import constraints, storage_policy, utils, wsgi


def main():
    swift_dir, server = sys.argv[1], sys.argv[2]
    utils.set_swift_dir(swift_dir)
    constraints.reload_constraints()
    storage_policy.reload_storage_policies()
    conf = os.path.join(swift_dir, f'{server}-server.conf')
    sys.exit(wsgi.run_wsgi(conf, f'{server}-server'))


if __name__ == '__main__':
    main()
