# broke: '' * 2**32 loops 2**32 times copying nothing in py/sequence.c:mp_seq_multiply with no loop hook (time limit escaped)
x = ''
x *= 2**32
