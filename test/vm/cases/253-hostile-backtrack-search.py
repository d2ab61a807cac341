import re
while True:
    re.search('(a|aa)*c', 'a' * 50)
