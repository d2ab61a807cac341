# One 600 kB line: the caller gets all of it, the kernel log a bounded part.
. "$KPY_LIB"
flood_case "one long line" 0 1000 'print("y" * 600000)'
check_eq "one long line: bytes" 600001 "$(wc -c </tmp/flood.out)"
finish
