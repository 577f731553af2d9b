"""Client: Session, InteractiveSession, ConfigProto/RunOptions/RunMetadata."""
