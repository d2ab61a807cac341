# broke: parsing 15000 nested brackets grows the parser's rule stack 16 entries at a time (py/parse.c push_rule, m_renew = gc_realloc scan+copy each) with no loop hook in mp_parse (time limit escaped)
exec('x = ' + '(' * 15000 + '1,' + ',)' * 15000)
