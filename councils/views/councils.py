"""councils views of the councils app."""

urlpatterns = []
