class Shape:
    count = 0

    def __init__(self, name):
        self.name = name
        Shape.count += 1

    def area(self):
        return 0

    def __str__(self):
        return "%s(area=%d)" % (self.name, self.area())


class Rect(Shape):
    def __init__(self, w, h):
        super().__init__("rect")
        self.w, self.h = w, h

    def area(self):
        return self.w * self.h


class Square(Rect):
    def __init__(self, s):
        super().__init__(s, s)
        self.name = "square"

    def __repr__(self):
        return "Square(%d)" % self.w


shapes = [Shape("blob"), Rect(3, 4), Square(5)]
for s in shapes:
    print(s)
print(Shape.count, isinstance(shapes[2], Rect), issubclass(Rect, Square))
print(repr(shapes[2]), type(shapes[1]).__name__)
