#!/bin/sh
# Where the build service and the module meet: build kpython.ko for the VM's
# kernel through the service (scripts/quickstart.sh: setup, service on its
# embedded defaults, fetch + verify through the CLI), then boot that signed
# artifact in the qemu rig and run Python in it.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"

release=$(test/vm/fetch-kernel.sh | sed -n 's/^abi=//p')
sh scripts/quickstart.sh "$release"
module=out/$release/kpython.ko
# The service appends a module signature; the rig loads the artifact as is.
tail -c 28 "$module" | grep -q '~Module signature appended~' || {
	echo "FAIL service-artifact: $module carries no module signature"
	echo "0 passed, 1 failed"
	exit 1
}
KPY_VM_MODULE=$module exec test/vm/run.sh 010-print 023-bigint 031-traceback \
	070-timeout 083-client 090-concurrent
