import struct, array, json, re
print(struct.pack(''), struct.unpack('', b''), struct.calcsize(''), struct.pack('0s', b''), struct.pack('0x'))
print(array.array('i'), array.array('b', b''), array.array('q', []), array.array('i', [1, 2])[1:1])
print(json.dumps([]), json.dumps({}), json.loads('[]'), json.loads('""') == '')
print(repr(re.sub('a', '', 'aaa')), re.compile('a').split(''), repr(re.compile('').match('').group(0)))
print(bytes(memoryview(array.array('i'))), repr(str(1)[1:]))
