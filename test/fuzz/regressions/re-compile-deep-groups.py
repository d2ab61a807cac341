# broke: C recursion without a stack check in lib/re1.5/compilecode.c:_compilecode (stack guard page hit)
import re
re.compile('(' * 10000 + 'a' + ')' * 10000)
