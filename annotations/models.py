# Annotations, concern tags, moderation and heat arrive with the annotation issues.
