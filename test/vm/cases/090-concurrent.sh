# Four clients at once each get exactly their own output.
. "$KPY_LIB"

pids=
for id in 1 2 3 4; do
	kpython -c "for i in range(300):
    print('client-$id', i)" >/tmp/conc.$id 2>&1 &
	pids="$pids $!"
done
id=0
for pid in $pids; do
	id=$((id + 1))
	wait "$pid"
	check_status "client $id" 0 $?
done
for id in 1 2 3 4; do
	awk -v id="$id" 'BEGIN { for (i = 0; i < 300; i++) print "client-" id, i }' \
		>/tmp/conc.exp
	if ! cmp -s /tmp/conc.exp /tmp/conc.$id; then
		fail "client $id: output differs ($(wc -l </tmp/conc.$id) lines," \
			"$(grep -vc "^client-$id " /tmp/conc.$id) foreign):"
		diff /tmp/conc.exp /tmp/conc.$id | head -n 10
	fi
done

finish
