"""ffmpeg"""
