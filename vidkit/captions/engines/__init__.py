"""captions.engines"""
