"""success views of the councils app."""

urlpatterns = []
