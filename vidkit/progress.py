"""The shapes of progress callbacks, in one place.

Long work reports how far it has got through a callback the caller passes in; the CLI turns
those calls into progress bars on stderr. Three shapes, each where its unit is natural:
"""

from __future__ import annotations

from collections.abc import Callable

#: Fraction of a render done, 0.0 to 1.0 (ffmpeg's position over the output's duration).
FractionFn = Callable[[float], None]
#: Bytes just sent by one upload (boto3's ``Callback`` shape; the local store does the same).
ChunkFn = Callable[[int], None]
#: (bytes sent so far, bytes to send in all) across a whole publish.
TransferFn = Callable[[int, int], None]
