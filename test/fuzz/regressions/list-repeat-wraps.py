# broke: [..] * huge wraps the size in py/sequence.c:mp_seq_multiply / objlist.c list_binary_op, then copies past the block
x = [1, 2] * (2**62 + 1)
