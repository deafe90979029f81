"""meetings views of the councils app."""

urlpatterns = []
