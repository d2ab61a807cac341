# broke: a huge %-format width pads in 16-byte pieces into a string grown one gc_realloc at a time (py/mpprint.c mp_print_strn, py/vstr.c vstr_ensure_extra) with no loop hook (time limit escaped)
'%1073741825s' % 'x'
