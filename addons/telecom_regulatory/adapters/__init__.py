from . import e911
