# Output bytes pass through unchanged: NUL, control characters, UTF-8, CR.
. "$KPY_LIB"

got=$(kpython -c "print('a\x00b\x01\xff\r', end='')" | od -An -tx1 | tr -s ' \n' ' ')
check_eq "bytes" " 61 00 62 01 c3 bf 0d " "$got"
got=$(kpython -c "print('x\r')" | od -An -tx1 | tr -s ' \n' ' ')
check_eq "CR before newline" " 78 0d 0a " "$got"
got=$(kpython -c "print('\n\n', end='')" | od -An -tx1 | tr -s ' \n' ' ')
check_eq "only newlines" " 0a 0a " "$got"

finish
