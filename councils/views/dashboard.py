"""dashboard views of the councils app."""

urlpatterns = []
