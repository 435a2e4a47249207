"""Captions: word-timed transcripts, caption files, cue segmentation and caption drawing."""
