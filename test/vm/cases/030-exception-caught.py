class MyError(Exception):
    pass

def risky(k):
    if k == 1:
        raise MyError("custom", k)
    if k == 2:
        return [][1]
    if k == 3:
        return {}["missing"]
    return 1 // 0

for k in range(4):
    try:
        risky(k)
    except MyError as e:
        print("MyError", e.args)
    except (IndexError, KeyError) as e:
        print(type(e).__name__, e)
    except Exception as e:
        print("other", type(e).__name__, e)
    finally:
        print("finally", k)
