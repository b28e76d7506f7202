"""What the learner is told when a recognition is not a confident reading (zh and en)."""

from __future__ import annotations

from tutor.recognition.schemas import LocalizedMessage, RecognitionStatus

__all__ = ["message_for"]

_MESSAGES: dict[str, LocalizedMessage] = {
    "no_speech": LocalizedMessage(
        zh="没有听到说话声，请靠近麦克风再说一遍。",
        en="I didn't hear anything. Please move closer to the microphone and say it again.",
    ),
    "unclear_speech": LocalizedMessage(
        zh="没听清楚，请再说一遍。", en="Sorry, I couldn't make that out. Please say it again."
    ),
    "low_confidence_speech": LocalizedMessage(
        zh="我不确定听对了，请检查一下，或者再说一遍。",
        en="I'm not sure I heard that right. Please check it, or say it again.",
    ),
    "low_confidence_handwriting": LocalizedMessage(
        zh="我不确定认对了，请检查一下，或者再写一遍。",
        en="I'm not sure I read that right. Please check it, or write it again.",
    ),
}


def message_for(status: RecognitionStatus, kind: str) -> LocalizedMessage | None:
    """The sentence for ``status`` of a ``speech`` or ``handwriting`` recognition; None when ``ok``."""
    if status == "ok":
        return None
    if status == "no_speech":
        return _MESSAGES["no_speech"]
    if status == "unclear":
        return _MESSAGES["unclear_speech"]
    return _MESSAGES[f"low_confidence_{'speech' if kind == 'speech' else 'handwriting'}"]
